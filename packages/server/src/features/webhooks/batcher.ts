/**
 * Groups items into batches: a batch leaves when it holds `size` items, or `window` ms after
 * its first item arrived, whichever comes first.
 */
export class Batcher<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { size: number; window: number },
    private readonly flush: (items: T[]) => void,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    if (this.pending.length >= this.options.size) {
      this.flushNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushNow(), this.options.window);
      this.timer.unref();
    }
  }

  /** Sends what waits now (the hub is closing). */
  flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.flush(items);
  }

  /** Items waiting for their batch to leave. */
  get length(): number {
    return this.pending.length;
  }
}
