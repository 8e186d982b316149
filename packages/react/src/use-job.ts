import type { JobState } from "@switchyard/client";
import { useCallback, useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useShared, useStoreSnapshot } from "./store-bridge.js";
import { jobBefore, noClient } from "./without-client.js";

/** What {@link useJob} returns: the job store's snapshot and `cancel`. */
export interface JobView extends JobState {
  /**
   * Asks the job to stop (owner only). Resolves with the state after the request; rejects with
   * `job_finished` when it already ended, `client_closed` without a client.
   */
  cancel(reason?: string): Promise<JobState>;
}

/**
 * Follows a job (`client.job(id)`): its status, percent, step, ETA, chunks so far, result,
 * error and validation request, seeded by the hub's snapshot (a late or reloaded page sees it
 * all at once) and kept current across reconnects; with `cancel()`. Components that follow the
 * same job share one store. Pass `null` to follow nothing.
 *
 * @example
 * function ReportProgress({ jobId }: { jobId: string }) {
 *   const { status, percent, step, eta, chunks, cancel } = useJob(jobId);
 *   return (
 *     <section>
 *       <progress max={100} value={percent} aria-label={step ?? "waiting"} />
 *       <p>{status} {eta !== null && `— about ${Math.round(eta)} s left`}</p>
 *       <p>{chunks.length} pages ready</p>
 *       {status === "running" && <button onClick={() => cancel("Stopped by the user")}>Cancel</button>}
 *     </section>
 *   );
 * }
 */
export function useJob(id: string | null): JobView {
  const { registry } = useSwitchyardContext();
  const shared = useShared(
    id === null ? null : registry,
    (r) => r.job(id as string),
    (r) => r.retainJob(id as string),
  );
  const server = useMemo(() => jobBefore(id ?? ""), [id]);
  const state = useStoreSnapshot(shared, server);
  const { store } = shared;
  const cancel = useCallback(
    (reason?: string) => (store ? store.cancel(reason) : noClient()),
    [store],
  );
  return useMemo(() => ({ ...state, cancel }), [state, cancel]);
}
