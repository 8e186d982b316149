/**
 * Paces outgoing frames to the rate the server announced in its connect reply
 * (`limits.rate` per second, bucket of `limits.burst`), so that a reconnect that resubscribes
 * many channels and flushes a full outbox is never refused with `rate_limited`.
 *
 * The client keeps a margin below the server's bucket: network jitter can bunch frames that
 * left evenly spaced, and heartbeat pongs (which are not paced) also take tokens.
 */
export class SendBudget {
  #rate = Number.POSITIVE_INFINITY;
  #burst = Number.POSITIVE_INFINITY;
  #tokens = Number.POSITIVE_INFINITY;
  #updatedAt = 0;

  /**
   * Starts a new link with the server's limits. `used` frames were already sent on it
   * (the connect frame). Non-finite or missing limits (JSON turns Infinity into null) mean
   * no limit.
   */
  open(rate: unknown, burst: unknown, used: number): void {
    if (
      typeof rate !== "number" ||
      typeof burst !== "number" ||
      !Number.isFinite(rate) ||
      !Number.isFinite(burst) ||
      rate <= 0
    ) {
      this.#rate = this.#burst = this.#tokens = Number.POSITIVE_INFINITY;
      return;
    }
    this.#rate = rate * 0.9;
    this.#burst = Math.max(1, Math.floor(burst * 0.9) - 1);
    this.#tokens = this.#burst - used;
    this.#updatedAt = Date.now();
  }

  /** Takes one token; false when the frame must wait. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until one token is available (0 when one is). */
  wait(): number {
    this.#refill();
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) * 1000) / this.#rate);
  }

  #refill(): void {
    if (this.#tokens === Number.POSITIVE_INFINITY) return;
    const now = Date.now();
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
      this.#updatedAt = now;
    }
  }
}
