import {
  hashKey,
  notifyManager,
  partialMatchKey,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { FRAME_MS } from "../batch.js";

/**
 * Coalesces what channel events do to the query cache: the patches and invalidations asked
 * for within one frame are applied together at its end, each key invalidated once.
 */

/**
 * Runs `flush` once, later; returns the function that cancels it. The default waits one frame's
 * time (see {@link nextFrame}).
 */
export type FrameScheduler = (flush: () => void) => () => void;

/**
 * Flushes after one frame's time (16 ms, the hooks' render batching window). A timer rather
 * than `requestAnimationFrame`: it batches the same way everywhere (frames do not run in
 * background tabs, where patches would pile up, nor in test DOMs that run them at once), and
 * the render itself still waits for the browser's frame.
 */
export const nextFrame: FrameScheduler = (flush) => {
  const timer = setTimeout(flush, FRAME_MS);
  return () => clearTimeout(timer);
};

/** Drops the keys another key of the list already matches as a prefix (and duplicates). */
export function minimalKeys(keys: Iterable<QueryKey>): QueryKey[] {
  const sorted = [...keys].sort((a, b) => a.length - b.length);
  const kept: QueryKey[] = [];
  for (const key of sorted) {
    if (!kept.some((prefix) => partialMatchKey(key, prefix))) kept.push(key);
  }
  return kept;
}

/**
 * Runs an application's patch. One that throws must not stop the others nor be swallowed:
 * it is rethrown on its own task, as the SDK reports a throwing listener.
 */
function applyPatch(patch: () => void): void {
  try {
    patch();
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}

/** The patches and invalidations of one frame, for one query client. */
export class CacheBatch {
  readonly #client: QueryClient;
  readonly #schedule: FrameScheduler;
  readonly #keys = new Map<string, QueryKey>();
  #updates: (() => void)[] = [];
  #cancel: (() => void) | undefined;

  constructor(client: QueryClient, schedule: FrameScheduler) {
    this.#client = client;
    this.#schedule = schedule;
  }

  /** Invalidates `keys` at the end of the frame (each once, however often asked). */
  invalidate(keys: readonly QueryKey[]): void {
    if (keys.length === 0) return;
    for (const key of keys) this.#keys.set(hashKey(key), key);
    this.#arm();
  }

  /** Runs `patch` at the end of the frame, after the patches asked before it. */
  update(patch: () => void): void {
    this.#updates.push(patch);
    this.#arm();
  }

  /** Applies everything pending now: patches in order (one render), then invalidations. */
  flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    const updates = this.#updates;
    const keys = minimalKeys(this.#keys.values());
    this.#updates = [];
    this.#keys.clear();
    if (updates.length > 0) {
      notifyManager.batch(() => {
        for (const patch of updates) applyPatch(patch);
      });
    }
    for (const queryKey of keys) void this.#client.invalidateQueries({ queryKey });
  }

  /** Drops what is pending (the hook unmounted). */
  dispose(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#updates = [];
    this.#keys.clear();
  }

  #arm(): void {
    if (this.#cancel) return;
    let ran = false;
    const cancel = this.#schedule(() => {
      ran = true;
      this.#cancel = undefined;
      this.flush();
    });
    // A scheduler may flush at once; then there is nothing left to cancel.
    if (!ran) this.#cancel = cancel;
  }
}

const shared = new WeakMap<QueryClient, CacheBatch>();

/**
 * The batch of `client` on frames, shared by every hook on it: what all of them ask
 * for within one frame is applied together, each key invalidated once.
 */
export function sharedBatch(client: QueryClient): CacheBatch {
  let batch = shared.get(client);
  if (!batch) {
    batch = new CacheBatch(client, nextFrame);
    shared.set(client, batch);
  }
  return batch;
}
