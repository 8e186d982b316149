/** When a version was first seen above the watermark. */
interface Mark {
  readonly version: number;
  at: number;
}

/**
 * Watches a state store's gap: versions seen above its watermark while a write between is
 * missing (another node's batch still on its way, or lost with a node that died before
 * publishing it). When a version has stayed above the watermark for `timeout` milliseconds, it
 * calls `refetch` (the store asks `state.get`, whose document covers every write up to its
 * version and so closes the gap, late batch or lost). One refetch at a time; after one that
 * did not close the gap (offline, refused), the next comes `timeout` later.
 */
export class StateGapWatch {
  /** Versions seen above the watermark, ascending, with when each was first seen. */
  #marks: Mark[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fetching = false;
  #closed = false;

  constructor(
    private readonly timeout: number,
    private readonly refetch: () => Promise<unknown>,
  ) {}

  /** Called after every change of the store's versions. */
  update(watermark: number, latest: number): void {
    if (this.#closed) return;
    const last = this.#marks.at(-1);
    if (latest > watermark && (last === undefined || latest > last.version)) {
      this.#marks.push({ version: latest, at: Date.now() });
    }
    while (this.#marks[0] !== undefined && this.#marks[0].version <= watermark) {
      this.#marks.shift();
    }
    if (this.#marks.length === 0) this.#disarm();
    else this.#arm();
  }

  /**
   * Forgets the gap: the link is down, and the next subscribe reply's snapshot (at the hub's
   * current version) will cover it.
   */
  clear(): void {
    this.#marks = [];
    this.#disarm();
  }

  /** Stops watching (the store is disposed). */
  close(): void {
    this.#closed = true;
    this.clear();
  }

  #arm(): void {
    const head = this.#marks[0];
    if (this.#fetching || this.#timer !== undefined || head === undefined) return;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, head.at + this.timeout - Date.now()));
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    const head = this.#marks[0];
    if (this.#closed || head === undefined) return;
    if (head.at + this.timeout > Date.now()) {
      this.#arm();
      return;
    }
    this.#fetching = true;
    this.refetch()
      .catch(() => {})
      .finally(() => {
        this.#fetching = false;
        // What is still missing waits a whole timeout again (no loop while offline).
        const now = Date.now();
        for (const mark of this.#marks) {
          if (mark.at + this.timeout <= now) mark.at = now;
        }
        this.#arm();
      });
  }
}
