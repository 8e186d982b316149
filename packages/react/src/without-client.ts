/**
 * What the hooks show and do without a client — on the server, while hydrating, and before a
 * provider given options has created one: a disconnected connection, stores that have heard
 * nothing yet (fixed objects, so server and hydration renders agree), and actions that reject.
 */
import {
  ClientError,
  type ConnectionState,
  initialJobState,
  initialPresenceState,
  initialStateSnapshot,
  type JobListState,
  type JobState,
  type PresenceState,
  type StateSnapshot,
  type StateValues,
  type SubscriptionState,
} from "@switchyard/client";

/** The connection before any client: disconnected, never started. */
export const DISCONNECTED: ConnectionState = Object.freeze({
  status: "disconnected",
  reason: "idle",
  closeCode: null,
  error: null,
  attempt: 0,
  retryAt: null,
  info: null,
});

/** The caller's jobs before the first answer. */
export const NO_JOBS: JobListState = Object.freeze({ jobs: [], status: "loading", error: null });

/** A subscription that has not reached the hub. */
export function subscriptionBefore(channel: string): SubscriptionState {
  return { channel, status: "subscribing", position: null, conflated: false, error: null };
}

/** A job before its snapshot arrived (the SDK's own initial state). */
export const jobBefore = (id: string): JobState => initialJobState(id);

/** A synced state document before its snapshot arrived. */
export const stateBefore = <T extends StateValues>(name: string): StateSnapshot<T> =>
  initialStateSnapshot<T>(name);

/** A presence channel before the subscribe reply. */
export const presenceBefore = (channel: string): PresenceState => initialPresenceState(channel);

/** What a hook's action returns without a client: a rejection with `client_closed`. */
export function noClient(): Promise<never> {
  return Promise.reject(new ClientError("client_closed", "No Switchyard client yet"));
}
