/** A progress value as the throttle sees it: only its step matters to it. */
export interface Steppable {
  step: string | null;
}

/** Options of {@link ProgressThrottle}. */
export interface ProgressThrottleOptions<T> {
  /** Least milliseconds between two emitted values. */
  interval: number;
  /** Receives each value that goes out. */
  emit: (value: T) => void;
  /**
   * Most steps waiting for their turn. A producer that changes steps faster than the interval
   * for this long gets the oldest waiting step out at once instead of dropping it.
   * @default 32
   */
  maxPending?: number;
}

const DEFAULT_MAX_PENDING = 32;

/**
 * Throttles and conflates one job's progress: at most one value per `interval`.
 *
 * - The first value (and any value after a quiet interval) goes out at once.
 * - Within an interval a newer value of the same step replaces the waiting one; a value of
 *   another step waits behind it, so every step shows up (step changes are never dropped).
 * - Waiting values go out one per interval, in order; the last one always goes out, and
 *   `flush` sends everything waiting at once (before a state change such as `completed`).
 *
 * Uses `Date.now` and `setTimeout`, so fake timers drive it in tests.
 */
export class ProgressThrottle<T extends Steppable> {
  private readonly interval: number;
  private readonly emitValue: (value: T) => void;
  private readonly maxPending: number;
  private pending: T[] = [];
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ProgressThrottleOptions<T>) {
    this.interval = options.interval;
    this.emitValue = options.emit;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Offers a new value. */
  offer(value: T): void {
    if (this.pending.length === 0 && Date.now() - this.lastEmit >= this.interval) {
      this.send(value);
      return;
    }
    const last = this.pending.at(-1);
    if (last !== undefined && last.step === value.step) {
      this.pending[this.pending.length - 1] = value;
    } else {
      this.pending.push(value);
      if (this.pending.length > this.maxPending) this.send(this.pending.shift() as T);
    }
    this.schedule();
  }

  /** Sends every waiting value now, in order. */
  flush(): void {
    this.cancelTimer();
    for (const value of this.pending.splice(0)) this.send(value);
  }

  /** Drops waiting values and stops the timer. */
  dispose(): void {
    this.cancelTimer();
    this.pending = [];
  }

  /** Values waiting for their turn. */
  get waiting(): number {
    return this.pending.length;
  }

  private send(value: T): void {
    this.lastEmit = Date.now();
    this.emitValue(value);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.pending.length === 0) return;
    const delay = Math.max(0, this.lastEmit + this.interval - Date.now());
    this.timer = setTimeout(this.tick, delay);
    this.timer.unref?.();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const next = this.pending.shift();
    if (next !== undefined) this.send(next);
    this.schedule();
  };

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
