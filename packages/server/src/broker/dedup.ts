import { DEDUP_WINDOW_MS } from "./broker.js";

/** Options of a {@link DedupCache}. */
export interface DedupCacheOptions {
  /**
   * How long a key is remembered, in milliseconds.
   * @default DEDUP_WINDOW_MS (120_000)
   */
  window?: number;
  /**
   * Most keys remembered at once; past it the oldest key is forgotten first.
   * @default 100_000
   */
  maxEntries?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/** Default {@link DedupCacheOptions.maxEntries}. */
const DEDUP_MAX_ENTRIES = 100_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Remembers idempotency keys for a time window, with bounded memory: expired keys are swept
 * and, past `maxEntries`, the oldest key is evicted. A key is remembered from its first
 * {@link DedupCache.remember} and is never extended by later lookups, so a retry loop cannot
 * keep a key alive forever.
 *
 * These are the reference semantics of broker idempotency: a key seen within the window
 * answers with the value stored by the first publish.
 *
 * @example
 * const seen = new DedupCache<BrokerPublishResult>();
 * const first = seen.get(key);
 * if (first) return { ...first, duplicate: true };
 * seen.remember(key, result);
 */
export class DedupCache<T> {
  readonly window: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  // Map iteration follows insertion order, which is expiry order for a monotonic clock:
  // sweeping stops at the first live key.
  private readonly entries = new Map<string, Entry<T>>();

  constructor(options: DedupCacheOptions = {}) {
    this.window = options.window ?? DEDUP_WINDOW_MS;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEDUP_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  /** Keys currently remembered (expired keys not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  /** The value remembered for `key`, or undefined when it is unknown or its window is over. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers `value` for `key` for one window from now (replacing an expired entry). */
  remember(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.window });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Forgets every key whose window is over; returns how many were forgotten. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
      removed++;
    }
    return removed;
  }

  /** Forgets every key. */
  clear(): void {
    this.entries.clear();
  }
}

/** The cache key of an idempotency key on a channel (the same key on two channels differs). */
export function dedupKey(channel: string, idempotencyKey: string): string {
  // The length prefix keeps the pair unambiguous whatever characters either part holds.
  return `${channel.length}:${channel}:${idempotencyKey}`;
}
