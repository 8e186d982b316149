/**
 * The React 18 test page: bundled with whichever React the build points `react` at, it prints
 * `React.version` and `ReactDOM.version`, and shows the connection, a job, a synced-state value
 * and presence, under StrictMode. The query string: `hub` (WebSocket URL), `token`, `job` (an
 * id). When the root already holds markup (`react18-server.tsx` rendered it), it hydrates it.
 */
import { StrictMode, version } from "react";
import { version as domVersion } from "react-dom";
import { createRoot, hydrateRoot } from "react-dom/client";
import { ConnectionBadge, JobProgress } from "../../src/components/index.js";
import { SwitchyardProvider, useConnection, usePresence, useStateValue } from "../../src/index.js";

/** What the page shows: the same on the server and in the browser. */
export interface AppProps {
  hub: string;
  token: string;
  job: string | null;
}

function Live() {
  const connection = useConnection();
  const damping = useStateValue("settings", "damping");
  const presence = usePresence("room:1");
  return (
    <ul>
      <li className="connection">{connection.status}</li>
      <li className="damping">{damping.value === undefined ? "unset" : String(damping.value)}</li>
      <li className="presence">
        {`${presence.count.members} here: ${presence.members.map((m) => m.userId ?? "guest").join(", ")}`}
      </li>
    </ul>
  );
}

export function App({ hub, token, job }: AppProps) {
  return (
    <StrictMode>
      <SwitchyardProvider options={{ url: hub, token }}>
        <p className="versions">{`react=${version} react-dom=${domVersion}`}</p>
        <ConnectionBadge />
        <Live />
        {job ? <JobProgress jobId={job} name={`Job ${job}`} /> : null}
      </SwitchyardProvider>
    </StrictMode>
  );
}

// In the browser: hydrate the server's markup when there is some, else render from scratch.
const root = typeof document === "undefined" ? null : document.getElementById("root");
if (root) {
  const params = new URLSearchParams(location.search);
  const app = (
    <App hub={params.get("hub") ?? ""} token={params.get("token") ?? ""} job={params.get("job")} />
  );
  if (root.hasChildNodes()) {
    hydrateRoot(root, app, {
      // React 18 reports a mismatch here (and as a console error in development): make it loud.
      onRecoverableError: (error) => console.error(`recoverable: ${String(error)}`),
    });
  } else {
    createRoot(root).render(app);
  }
}
