import type { ReconnectOptions } from "./options.js";

/**
 * Which reconnect tier applies: `fast` after network drops and `reconnect`-class closes,
 * `slow` after `backoff`-class closes (the server is rate limiting or full).
 */
export type BackoffTier = "fast" | "slow";

/**
 * Reconnect delays (see {@link ReconnectOptions} for the formulas). Each call to `next`
 * counts one failed attempt and returns the wait before the next one; `reset` forgets the
 * failures once a link proved stable. The immediate retry after a stable link drops is not a
 * failure: the connection does not ask the backoff for it.
 *
 * @example
 * const backoff = new Backoff(DEFAULT_RECONNECT);
 * backoff.next("fast"); // 0..1000: the first failed attempt
 * backoff.next("fast"); // 0..2000
 * backoff.next("slow"); // 10_000..20_000: the third, on the slow tier
 * backoff.attempt; // 3
 */
export class Backoff {
  readonly #options: Readonly<ReconnectOptions>;
  readonly #random: () => number;
  #attempt = 0;

  /** `random` returns a number in [0, 1); injectable for tests. */
  constructor(options: Readonly<ReconnectOptions>, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Counts one more failed attempt and returns the delay before the next, in milliseconds. */
  next(tier: BackoffTier): number {
    const doublings = this.#attempt++;
    const { minDelay, maxDelay, slowMinDelay, slowMaxDelay } = this.#options;
    if (tier === "slow") {
      const ceiling = Math.min(slowMaxDelay, slowMinDelay * 2 ** doublings);
      return ceiling / 2 + this.#random() * (ceiling / 2);
    }
    return this.#random() * Math.min(maxDelay, minDelay * 2 ** doublings);
  }

  /** Forgets the failed attempts (a link stayed up `resetAfter`). */
  reset(): void {
    this.#attempt = 0;
  }
}
