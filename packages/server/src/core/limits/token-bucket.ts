/** What to do with one inbound frame, as decided by {@link TokenBucket.take}. */
export type RateVerdict =
  /** Within the rate: handle the frame. */
  | "ok"
  /** Over the rate: answer the frame with a `rate_limited` error and do not handle it. */
  | "reject"
  /** The client keeps flooding: close the connection with `rate_limited` (4100). */
  | "close";

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /**
   * Tokens added per second (the sustained rate).
   * @default 100
   */
  rate: number;
  /**
   * Bucket size: the most frames accepted in one go after a quiet period. Also how far into
   * debt a flooding client may go before `take` says `"close"`.
   * @default 200
   */
  burst: number;
  /**
   * Monotonic clock in milliseconds (inject a fake one in tests).
   * @default performance.now
   */
  now?: () => number;
}

/** What buckets made from one options object share: derived once, not per connection. */
interface Policy {
  readonly rate: number;
  readonly burst: number;
  readonly now: () => number;
  readonly unlimited: boolean;
  readonly perMs: number;
}

const monotonic = (): number => performance.now();
const policies = new WeakMap<TokenBucketOptions, Policy>();

function policyOf(options: TokenBucketOptions): Policy {
  let policy = policies.get(options);
  if (policy === undefined) {
    const { rate, burst } = options;
    if (!(rate > 0)) throw new RangeError(`TokenBucket: rate must be > 0, got ${rate}`);
    if (!(burst >= 1)) throw new RangeError(`TokenBucket: burst must be >= 1, got ${burst}`);
    policy = {
      rate,
      burst,
      now: options.now ?? monotonic,
      unlimited: !Number.isFinite(rate) || !Number.isFinite(burst),
      perMs: rate / 1000,
    };
    policies.set(options, policy);
  }
  return policy;
}

/**
 * A token bucket for inbound frames of one connection.
 *
 * The bucket starts full with `burst` tokens and refills at `rate` tokens per second up to
 * `burst`. Every frame takes one token, rejected frames included: a client that keeps
 * sending while refused digs itself into debt. Once the debt exceeds another `burst`
 * (the balance falls below `-burst`), the flood is persistent and the verdict is `"close"`.
 * A client that pauses climbs out of debt at `rate` per second.
 *
 * `take` allocates nothing, so it can run on every inbound frame. A non-finite `rate` or
 * `burst` disables the limit.
 *
 * @example
 * const bucket = new TokenBucket({ rate: 100, burst: 200 });
 * switch (bucket.take()) {
 *   case "ok": handle(frame); break;
 *   case "reject": replyError(frame.id, "rate_limited"); break;
 *   case "close": close("rate_limited"); break;
 * }
 */
export class TokenBucket {
  readonly #policy: Policy;
  #tokens: number;
  #updatedAt: number;

  /**
   * Buckets made from the same `options` object share its settings, so a server creating one
   * bucket per connection keeps just the balance and its time per connection. The options are
   * read once: change them by passing a new object.
   */
  constructor(options: TokenBucketOptions) {
    this.#policy = policyOf(options);
    this.#tokens = this.#policy.burst;
    this.#updatedAt = this.#policy.now();
  }

  /** Tokens added per second. */
  get rate(): number {
    return this.#policy.rate;
  }

  /** The bucket size. */
  get burst(): number {
    return this.#policy.burst;
  }

  /** Takes one token for one inbound frame and says what to do with the frame. */
  take(): RateVerdict {
    const policy = this.#policy;
    if (policy.unlimited) return "ok";
    this.#refill(policy);
    // Once closing, stop counting: the debt stays bounded however long frames keep coming.
    if (this.#tokens < -policy.burst) return "close";
    this.#tokens -= 1;
    if (this.#tokens >= 0) return "ok";
    return this.#tokens < -policy.burst ? "close" : "reject";
  }

  /**
   * The balance now: tokens available when positive, the debt when negative. Between
   * `-burst - 1` and `burst` (`Infinity` when the limit is disabled).
   */
  get tokens(): number {
    const policy = this.#policy;
    if (policy.unlimited) return Number.POSITIVE_INFINITY;
    const elapsed = Math.max(0, policy.now() - this.#updatedAt);
    return Math.min(policy.burst, this.#tokens + elapsed * policy.perMs);
  }

  #refill(policy: Policy): void {
    const now = policy.now();
    const elapsed = now - this.#updatedAt;
    // A clock that steps back must not drain the bucket.
    if (elapsed > 0) {
      this.#tokens = Math.min(policy.burst, this.#tokens + elapsed * policy.perMs);
      this.#updatedAt = now;
    }
  }
}
