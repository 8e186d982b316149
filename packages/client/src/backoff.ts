import type { ReconnectOptions } from "./options.js";

/**
 * Which reconnect tier applies: `fast` after network drops and `reconnect`-class closes,
 * `slow` after `backoff`-class closes (the server is rate limiting or full).
 */
export type BackoffTier = "fast" | "slow";

/**
 * Reconnect delays (see {@link ReconnectOptions} for the formulas). Each call to `next`
 * counts one failed attempt; `reset` forgets them once a link proved stable.
 *
 * @example
 * const backoff = new Backoff(DEFAULT_RECONNECT);
 * backoff.next("fast"); // 0: the first retry after a stable link is immediate
 * backoff.next("fast"); // 0..1000
 * backoff.next("fast"); // 0..2000
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

  /** The delay in milliseconds before the next attempt, counting one more failed attempt. */
  next(tier: BackoffTier): number {
    const n = this.#attempt++;
    const { minDelay, maxDelay, slowMinDelay, slowMaxDelay } = this.#options;
    if (tier === "slow") {
      const ceiling = Math.min(slowMaxDelay, slowMinDelay * 2 ** n);
      return ceiling / 2 + this.#random() * (ceiling / 2);
    }
    if (n === 0) return 0;
    return this.#random() * Math.min(maxDelay, minDelay * 2 ** (n - 1));
  }

  /** Forgets the failed attempts: the next drop is retried at once. */
  reset(): void {
    this.#attempt = 0;
  }
}
