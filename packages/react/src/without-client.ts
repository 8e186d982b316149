/**
 * What the hooks show and do without a client — on the server, while hydrating, and before a
 * provider given options has created one: a disconnected connection, stores that have heard
 * nothing yet (fixed objects, so server and hydration renders agree), and actions that reject.
 */
import {
  ClientError,
  type ConnectionState,
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

/** A job before its snapshot arrived. */
export function jobBefore(id: string): JobState {
  return {
    id,
    status: null,
    percent: 0,
    step: null,
    eta: null,
    etaAt: null,
    meta: null,
    createdAt: null,
    startedAt: null,
    updatedAt: null,
    finishedAt: null,
    cancelRequested: false,
    chunks: [],
    chunkCount: 0,
    chunkTotal: null,
    result: null,
    error: null,
    validation: null,
    seq: 0,
    subscription: "subscribing",
    subscribeError: null,
  };
}

/** A synced state document before its snapshot arrived. */
export function stateBefore<T extends StateValues>(name: string): StateSnapshot<T> {
  return {
    name,
    status: "loading",
    version: 0,
    latestVersion: 0,
    values: {} as Partial<T>,
    entries: {},
    pending: [],
    error: null,
    conflicts: [],
    subscribeError: null,
  };
}

/** A presence channel before the subscribe reply. */
export function presenceBefore(channel: string): PresenceState {
  return {
    channel,
    count: { members: 0, connections: 0 },
    members: [],
    listed: true,
    cursor: null,
    subscription: "subscribing",
    error: null,
  };
}

/** What a hook's action returns without a client: a rejection with `client_closed`. */
export function noClient(): Promise<never> {
  return Promise.reject(new ClientError("client_closed", "No Switchyard client yet"));
}
