import { BatchCache } from "./batch-cache.js";

/** Something with frames queued for one write. */
export interface Flushable {
  flush(): void;
}

/**
 * Collects the connections that queued frames during this turn of the event loop and flushes
 * each once, on `setImmediate`: every frame queued for a connection within one tick goes out
 * in one write. One timer for the whole hub, not one per connection.
 */
export class FlushScheduler {
  /** Batches shared by the connections of one flush (fan-out queues the same frames). */
  readonly batches = new BatchCache();
  private dirty: Flushable[] = [];
  private spare: Flushable[] = [];
  private armed = false;

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.armed = false;
    const batch = this.dirty;
    this.dirty = this.spare;
    for (let i = 0; i < batch.length; i++) batch[i]!.flush();
    batch.length = 0;
    this.spare = batch;
    this.batches.clear();
  };
}
