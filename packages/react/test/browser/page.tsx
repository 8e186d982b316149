/**
 * The components' test page, as an app would write it. The query string says what to show:
 * `hub` (WebSocket URL), `token`, `jobs` (ids, comma-separated), `owner` (1: this user may
 * cancel the jobs), `channel` (a presence channel). A validation answer goes to the hub's
 * `review` RPC, so the test sees the button work.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConnectionBadge, JobProgress, PresenceAvatars } from "../../src/components/index.js";
import { SwitchyardProvider, useRpc } from "../../src/index.js";

const params = new URLSearchParams(location.search);
const hub = params.get("hub") ?? "";
const token = params.get("token") ?? "";
const jobs = (params.get("jobs") ?? "").split(",").filter(Boolean);
const channel = params.get("channel");
const owner = params.get("owner") === "1";

function Jobs() {
  const review = useRpc("review");
  return jobs.map((jobId) => (
    <JobProgress
      key={jobId}
      jobId={jobId}
      name={`Job ${jobId}`}
      cancellable={owner}
      cancelReason="Stopped in the test page"
      onValidation={(decision) => review.call({ jobId, decision })}
    />
  ));
}

function App() {
  return (
    <SwitchyardProvider
      options={{
        url: hub,
        token,
        // A second or two between attempts, so the badge's countdown shows while the hub is down.
        reconnect: { minDelay: 1500, maxDelay: 2500, slowMinDelay: 1500, slowMaxDelay: 2500 },
      }}
    >
      <div className="row">
        <ConnectionBadge />
        {channel ? <PresenceAvatars channel={channel} /> : null}
        {channel ? <PresenceAvatars channel={channel} max={1} className="few" /> : null}
      </div>
      <Jobs />
    </SwitchyardProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
