import type { JobListState } from "@switchyard/client";
import { useCallback, useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useShared, useStoreSnapshot } from "./store-bridge.js";
import { NO_JOBS, noClient } from "./without-client.js";

/** What {@link useJobs} returns: the job list's snapshot and `refresh`. */
export interface JobListView extends JobListState {
  /** Asks the hub again; resolves with the state after the answer (errors are in the state). */
  refresh(): Promise<JobListState>;
}

/**
 * The jobs of this client's user and session, newest first (`client.jobs()`), asked again on
 * every reconnect: a page reloaded mid-job finds its running jobs, then follows each with
 * `useJob(id)`.
 *
 * @example
 * function MyJobs() {
 *   const { jobs, status } = useJobs();
 *   if (status === "loading") return <p>Loading…</p>;
 *   return (
 *     <ul>
 *       {jobs.map((job) => <li key={job.id}>{job.id}: {job.status} {job.percent}%</li>)}
 *     </ul>
 *   );
 * }
 */
export function useJobs(): JobListView {
  const { registry } = useSwitchyardContext();
  const shared = useShared(
    registry,
    (r) => r.jobs(),
    (r) => r.retainJobs(),
  );
  const state = useStoreSnapshot(shared, NO_JOBS);
  const { store } = shared;
  const refresh = useCallback(() => (store ? store.refresh() : noClient()), [store]);
  return useMemo(() => ({ ...state, refresh }), [state, refresh]);
}
