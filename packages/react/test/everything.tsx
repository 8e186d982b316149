/** A component that uses every hook: rendered on the server, hydrated, then live. */
import {
  useConnection,
  useEventList,
  useJob,
  useJobs,
  useLatestEvent,
  usePresence,
  useRpc,
  useStateValue,
  useSubscription,
  useSyncedState,
} from "../src/index.js";

export function Everything({ jobId = "j1" }: { jobId?: string }) {
  const connection = useConnection();
  const channel = useSubscription("news");
  const latest = useLatestEvent("news", "headline");
  const list = useEventList("news");
  const job = useJob(jobId);
  const jobs = useJobs();
  const state = useSyncedState("settings");
  const damping = useStateValue("settings", "damping");
  const presence = usePresence("room:1");
  const rpc = useRpc("echo");
  return (
    <ul>
      <li>
        connection={connection.status}/{connection.reason}
      </li>
      <li>
        channel={channel.status} latest={latest === undefined ? "none" : String(latest)} list=
        {list.length}
      </li>
      <li>
        job={job.status ?? "none"} {job.percent}%
      </li>
      <li>jobs={jobs.status}</li>
      <li>
        state={state.status} damping={damping.value === undefined ? "unset" : String(damping.value)}
      </li>
      <li>presence={presence.count.members}</li>
      <li>rpc={rpc.pending ? "pending" : rpc.data === undefined ? "idle" : String(rpc.data)}</li>
    </ul>
  );
}
