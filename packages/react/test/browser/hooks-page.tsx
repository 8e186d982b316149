/**
 * The hooks' test page: every hook that has no component of its own (`useSubscription`,
 * `useLatestEvent`, `useEventList`, `useJobs`, `useRpc`, `useSyncedState`) on one page under
 * StrictMode, each showing what it returns as text and ARIA values. The query string: `hub`
 * (WebSocket URL) and `token`.
 */
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import {
  SwitchyardProvider,
  useEventList,
  useJobs,
  useLatestEvent,
  useRpc,
  useSubscription,
  useSyncedState,
} from "../../src/index.js";

/** The channel server code publishes `tick` events (`{n}`) on. */
const FEED = "feed:main";

/** How many ticks the list keeps. */
const LIST_LIMIT = 3;

interface Tick {
  n: number;
}

/** `useSubscription`: its status, and how many ticks `onEvent` saw (each exactly once). */
function Subscription() {
  const [seen, setSeen] = useState(0);
  const { status } = useSubscription(FEED, {
    events: ["tick"],
    onEvent: () => setSeen((count) => count + 1),
  });
  return (
    <p className="subscription">
      <span className="status">{status}</span> <span className="seen">{`seen=${seen}`}</span>
    </p>
  );
}

/** `useLatestEvent` and `useEventList` on the same channel. */
function Feed() {
  const latest = useLatestEvent(FEED, "tick") as Tick | undefined;
  const ticks = useEventList(FEED, { limit: LIST_LIMIT, events: ["tick"] });
  return (
    <section aria-label="Feed">
      <p className="latest">{latest === undefined ? "latest=-" : `latest=${latest.n}`}</p>
      <ol aria-label="Last ticks">
        {ticks.map((tick) => (
          <li key={String(tick.offset)}>{`tick ${(tick.data as Tick).n}`}</li>
        ))}
      </ol>
    </section>
  );
}

/** `useJobs`: the user's jobs, newest first. */
function Jobs() {
  const { jobs, status } = useJobs();
  return (
    <section aria-label="Jobs">
      <p className="jobs-summary">{`jobs ${status}: ${jobs.length}`}</p>
      <ul aria-label="My jobs">
        {jobs.map((job) => (
          <li key={job.id}>{`${job.id}: ${job.status}`}</li>
        ))}
      </ul>
    </section>
  );
}

/** `useRpc`: one call that succeeds, one the handler refuses. */
function Adder() {
  const { run, data, error, pending } = useRpc("math.add");
  return (
    <section aria-label="Adder">
      <button type="button" onClick={() => run({ a: 1, b: 2 })}>
        Add 1 + 2
      </button>
      <button type="button" onClick={() => run({ a: -1, b: 2 })}>
        Add -1 + 2
      </button>
      <output aria-busy={pending}>{data === undefined ? "sum=-" : `sum=${String(data)}`}</output>
      {error ? <p role="alert">{error.message}</p> : null}
    </section>
  );
}

/** `useSyncedState`: two keys as meters (`<meter>`: role `meter`, its value the key's), and a write, a preset and an undo as buttons. */
function Settings() {
  const settings = useSyncedState<{ damping: number; gravity: number }>("settings");
  const { damping, gravity } = settings.values;
  return (
    <section aria-label="Settings" data-status={settings.status}>
      <meter aria-label="Damping" min={0} max={1} value={damping}>
        {`damping=${damping ?? "-"}`}
      </meter>
      <meter aria-label="Gravity" min={0} max={20} value={gravity}>
        {`gravity=${gravity ?? "-"}`}
      </meter>
      <button type="button" onClick={() => void settings.set("damping", 0.8)}>
        Set damping 0.8
      </button>
      <button type="button" onClick={() => void settings.applyPreset("calm")}>
        Calm
      </button>
      <button type="button" onClick={() => void settings.undo()}>
        Undo
      </button>
    </section>
  );
}

const root = document.getElementById("root");
if (root) {
  const params = new URLSearchParams(location.search);
  createRoot(root).render(
    <StrictMode>
      <SwitchyardProvider
        options={{ url: params.get("hub") ?? "", token: params.get("token") ?? "" }}
      >
        <Subscription />
        <Feed />
        <Jobs />
        <Adder />
        <Settings />
      </SwitchyardProvider>
    </StrictMode>,
  );
}
