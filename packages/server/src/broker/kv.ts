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
  /**
   * Claims `key` for `value`, atomically: stores `value` when the key is absent, and when it
   * holds `value` already renews its expiry to `ttl` ms (never when absent); any other value is
   * left as it is, expiry included. Resolves with what the key held before (undefined when
   * absent): the claim holds when that is undefined or `value`. One step, so of concurrent
   * claims across nodes exactly one finds the key absent.
   */
  claim(key: string, value: string, ttl?: number): Promise<unknown>;
  /**
   * The versioned entry under `key` and its revision, or undefined when absent or expired.
   * Versioned entries are a space of their own: written only by {@link setVersioned}.
   */
  getVersioned(key: string): Promise<Versioned | undefined>;
  /**
   * Compare-and-set: stores `value` under `key` when the entry's revision is `revision` (0:
   * the key is absent), atomically, and (re)sets its expiry to `ttl` ms (never when absent).
   * Resolves with the new revision (`revision + 1`), or undefined when another write came
   * first: read again and retry. Of concurrent writers from one revision, exactly one wins.
   */
  setVersioned(
    key: string,
    value: unknown,
    revision: number,
    ttl?: number,
  ): Promise<number | undefined>;
  /** Removes `key` (its plain value, its set and its versioned entry). */
  delete(key: string): Promise<void>;
  /** Adds `member` to the set under `key` and (re)sets the set's expiry to `ttl` ms. */
  addToSet(key: string, member: string, ttl?: number): Promise<void>;
  /** Removes `member` from the set under `key`. */
  removeFromSet(key: string, member: string): Promise<void>;
  /** The members of the set under `key` (empty when absent). */
  members(key: string): Promise<string[]>;
}

/** A versioned entry ({@link KeyValueStore.getVersioned}). */
export interface Versioned {
  value: unknown;
  /** Grows by one with every write; the first write makes it 1. */
  revision: number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

interface VersionedEntry extends Entry {
  revision: number;
}

/**
 * The single-process {@link KeyValueStore} of the memory broker. Expired entries are dropped
 * on access and by `sweep`, so memory follows what is live.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, Entry>();
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();
  private readonly versioned = new Map<string, VersionedEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  private expiry(ttl: number | undefined): number {
    return ttl === undefined ? Number.POSITIVE_INFINITY : this.now() + ttl;
  }

  /** The live entry under `key` (an expired one is dropped). */
  private live(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<unknown> {
    const entry = this.live(key);
    return entry === undefined ? undefined : structuredClone(entry.value);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    // A copy, as a networked store would hold: later changes by the caller do not leak in.
    this.values.set(key, { value: structuredClone(value), expiresAt: this.expiry(ttl) });
  }

  async claim(key: string, value: string, ttl?: number): Promise<unknown> {
    // No await between the read and the write: that is what makes the claim atomic here.
    const entry = this.live(key);
    if (entry === undefined || entry.value === value) {
      this.values.set(key, { value, expiresAt: this.expiry(ttl) });
    }
    return entry === undefined ? undefined : structuredClone(entry.value);
  }

  async getVersioned(key: string): Promise<Versioned | undefined> {
    const entry = this.liveVersioned(key);
    if (entry === undefined) return undefined;
    return { value: structuredClone(entry.value), revision: entry.revision };
  }

  async setVersioned(
    key: string,
    value: unknown,
    revision: number,
    ttl?: number,
  ): Promise<number | undefined> {
    // No await between the check and the write: that is what makes it atomic here.
    const current = this.liveVersioned(key)?.revision ?? 0;
    if (current !== revision) return undefined;
    const next = revision + 1;
    this.versioned.set(key, {
      value: structuredClone(value),
      revision: next,
      expiresAt: this.expiry(ttl),
    });
    return next;
  }

  private liveVersioned(key: string): VersionedEntry | undefined {
    const entry = this.versioned.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.versioned.delete(key);
      return undefined;
    }
    return entry;
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.sets.delete(key);
    this.versioned.delete(key);
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
    for (const [key, entry] of this.versioned) {
      if (entry.expiresAt <= now) this.versioned.delete(key);
    }
  }

  /** Entries held (values, sets and versioned entries). */
  get size(): number {
    return this.values.size + this.sets.size + this.versioned.size;
  }
}
