/**
 * Interim bridges from the provider's shared SDK stores to the components, through
 * `useSyncExternalStore`, until the package's hooks (`useConnection`, `useJob`,
 * `usePresence`) replace them.
 */
import type { ConnectionState, Job, JobState, PresenceState, Readable } from "@switchyard/client";
import { useEffect, useSyncExternalStore } from "react";
import { useSwitchyardContext } from "../context.js";

const OFFLINE: ConnectionState = {
  status: "disconnected",
  reason: "idle",
  closeCode: null,
  error: null,
  attempt: 0,
  retryAt: null,
  info: null,
};

const noSubscribe = () => () => {};

function useReadable<T>(store: Readable<T> | null, fallback: T): T {
  return useSyncExternalStore(
    store?.subscribe ?? noSubscribe,
    store ? store.getSnapshot : () => fallback,
    () => fallback,
  );
}

export function useConnection(): ConnectionState {
  const { client } = useSwitchyardContext();
  return useReadable(client?.connection ?? null, OFFLINE);
}

const jobFallbacks = new Map<string, JobState>();
function initialJob(id: string): JobState {
  let state = jobFallbacks.get(id);
  if (!state) {
    state = {
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
    jobFallbacks.set(id, state);
  }
  return state;
}

export function useJob(id: string): JobState & { cancel: Job["cancel"] } {
  const { registry } = useSwitchyardContext();
  const job = registry?.job(id) ?? null;
  useEffect(() => {
    if (!registry) return;
    const lease = registry.retainJob(id);
    return () => lease.release();
  }, [registry, id]);
  const state = useReadable(job, initialJob(id));
  const cancel: Job["cancel"] = (reason) =>
    job ? job.cancel(reason) : Promise.reject(new Error("No Switchyard client yet"));
  return { ...state, cancel };
}

const presenceFallbacks = new Map<string, PresenceState>();
export function usePresence(channel: string): PresenceState {
  const { registry } = useSwitchyardContext();
  const presence = registry?.presence(channel) ?? null;
  useEffect(() => {
    if (!registry) return;
    const lease = registry.retainPresence(channel);
    return () => lease.release();
  }, [registry, channel]);
  let fallback = presenceFallbacks.get(channel);
  if (!fallback) {
    fallback = {
      channel,
      count: { members: 0, connections: 0 },
      members: [],
      listed: true,
      cursor: null,
      subscription: "subscribing",
      error: null,
    };
    presenceFallbacks.set(channel, fallback);
  }
  return useReadable(presence, fallback);
}
