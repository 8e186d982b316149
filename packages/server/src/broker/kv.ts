/**
 * Small shared documents with expiry, kept by the broker so every hub node sees the same ones:
 * job snapshots, synced state, indexes such as "the jobs of this user". Values are plain data
 * (what JSON or MessagePack can carry).
 */
export interface KeyValueStore {
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<unknown>;
  /** Stores `value` under `key`, expiring after `ttl` ms (never when absent). */
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /** Adds `member` to the set under `key` and (re)sets the set's expiry to `ttl` ms. */
  addToSet(key: string, member: string, ttl?: number): Promise<void>;
  /** Removes `member` from the set under `key`. */
  removeFromSet(key: string, member: string): Promise<void>;
  /** The members of the set under `key` (empty when absent). */
  members(key: string): Promise<string[]>;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The single-process {@link KeyValueStore} of the memory broker. Expired entries are dropped
 * on access and by `sweep`, so memory follows what is live.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, Entry>();
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private expiry(ttl: number | undefined): number {
    return ttl === undefined ? Number.POSITIVE_INFINITY : this.now() + ttl;
  }

  async get(key: string): Promise<unknown> {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return structuredClone(entry.value);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    // A copy, as a networked store would hold: later changes by the caller do not leak in.
    this.values.set(key, { value: structuredClone(value), expiresAt: this.expiry(ttl) });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.sets.delete(key);
  }

  async addToSet(key: string, member: string, ttl?: number): Promise<void> {
    let set = this.sets.get(key);
    if (!set || set.expiresAt <= this.now()) {
      set = { members: new Set(), expiresAt: 0 };
      this.sets.set(key, set);
    }
    set.members.add(member);
    set.expiresAt = this.expiry(ttl);
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    const set = this.sets.get(key);
    if (!set) return;
    set.members.delete(member);
    if (set.members.size === 0) this.sets.delete(key);
  }

  async members(key: string): Promise<string[]> {
    const set = this.sets.get(key);
    if (!set) return [];
    if (set.expiresAt <= this.now()) {
      this.sets.delete(key);
      return [];
    }
    return [...set.members];
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
    for (const [key, set] of this.sets) if (set.expiresAt <= now) this.sets.delete(key);
  }

  /** Entries held (values and sets). */
  get size(): number {
    return this.values.size + this.sets.size;
  }
}
