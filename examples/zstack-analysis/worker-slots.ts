/**
 * A fixed number of analyses run at once; the others wait their turn, first come first
 * served. A waiting job whose signal aborts (its owner cancelled it) leaves the queue.
 */

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** The worker slots of the hub: `active` analyses run, `queued` wait. */
export class WorkerSlots {
  readonly size: number;
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("size must be at least 1");
    this.size = size;
  }

  /** Analyses running now. */
  get active(): number {
    return this.#active;
  }

  /** Analyses waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with the function that frees the slot, once one is free; `onWait` is called when
   * the caller has to wait. Rejects with the signal's reason when it aborts first.
   */
  acquire(signal: AbortSignal, onWait?: () => void): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#active < this.size) return Promise.resolve(this.#take());
    onWait?.();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #take(): () => void {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const next = this.#waiting.shift();
      if (next) {
        next.signal.removeEventListener("abort", next.onAbort);
        next.resolve(this.#take());
      }
    };
  }
}
