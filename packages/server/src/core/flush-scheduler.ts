import { BatchCache } from "./batch-cache.js";

/** Something with frames queued for one write. */
export interface Flushable {
  flush(): void;
}

/**
 * After this long without a flush the hub counts as idle: the next event is written at once
 * instead of at the end of the turn. Under load flushes follow each other much closer than
 * this, so events keep being batched.
 */
const IDLE_MS = 5;

/**
 * Collects the connections that queued frames during this turn of the event loop and flushes
 * each once, on `setImmediate`: every frame queued for a connection within one tick goes out
 * in one write. One timer for the whole hub, not one per connection.
 *
 * An event that finds the hub idle does not wait for the end of the turn: see {@link idle}. Batching pays when events come in bursts; a lone event only waits, and
 * at light load that wait (the rest of the turn, on cold caches) was most of the latency
 * Switchyard added over a raw socket write.
 */
export class FlushScheduler {
  /** Batches shared by the connections of one flush (fan-out queues the same frames). */
  readonly batches = new BatchCache();
  private dirty: Flushable[] = [];
  private spare: Flushable[] = [];
  private armed = false;
  /** `performance.now()` at the end of the last flush. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.run);
    }
  }

  /**
   * True when nothing was flushed for a while: an event may then be written at once (each
   * subscriber flushed as the event is queued for it) instead of at the end of the turn.
   * Whoever writes then calls {@link flushed}, so the rest of a burst is batched again.
   */
  idle(): boolean {
    return this.now() - this.lastFlushAt >= IDLE_MS;
  }

  /** Records a flush done outside the scheduler (see {@link idle}). */
  flushed(): void {
    this.lastFlushAt = this.now();
  }

  private flushDirty(): void {
    const batch = this.dirty;
    this.dirty = this.spare;
    for (let i = 0; i < batch.length; i++) batch[i]!.flush();
    batch.length = 0;
    this.spare = batch;
    this.batches.clear();
  }

  private readonly run = (): void => {
    this.armed = false;
    if (this.dirty.length === 0) return;
    this.flushDirty();
    this.lastFlushAt = this.now();
  };
}
