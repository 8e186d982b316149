import type { StateChange, StateDocument, StateEntry } from "@switchyard/protocol";

/** A key as the client holds it: an entry, or a tombstone (`deleted`) that orders a delete. */
type Held = StateEntry & { readonly deleted?: true };

/** A write this client sent (or queued) and the hub has not answered yet. */
export interface PendingWrite {
  readonly id: number;
  readonly set: Readonly<Record<string, unknown>>;
  readonly delete: readonly string[];
}

/**
 * One state document as a client holds it, with no I/O: the confirmed layer (what the hub
 * reported, merged by version so that changes and snapshots may arrive in any order, twice,
 * from any node) under an optimistic layer (this client's unanswered writes).
 *
 * The merge rule (docs/state.md): a change applies only when its version is greater than the
 * version held for its key, tombstones of deleted keys included. A document (snapshot or reload)
 * is authoritative at its version: its entries apply by the same rule and the held keys it lacks
 * that are not newer than it are deleted. Every change at or below the newest document's
 * version is then stale (the document already reflects it), so tombstones up to that version
 * are dropped: their `floor` does their work.
 *
 * The document's {@link version} is the watermark: the greatest `v` such that every write from
 * 1 to `v` is known — covered by a document, or listed as whole (a `changes` event's `writes`,
 * a write's reply). Changes above it apply at once; only the version waits for the writes
 * between, so a compare-and-set on it never passes a change the client has not seen.
 */
export class StateDocumentModel {
  readonly #held = new Map<string, Held>();
  #pending: PendingWrite[] = [];
  /** The contiguous watermark (see the class). */
  #version = 0;
  /** Versions known whole above the watermark. */
  readonly #known = new Set<number>();
  /** The greatest version seen anywhere (a change, a document, a conflict's details). */
  #latest = 0;
  /** The version of the newest document applied (-1 before the first). */
  #floor = -1;
  #revision = 0;

  /** The watermark: every write up to it is known (0 before anything). */
  get version(): number {
    return this.#version;
  }

  /** The greatest version seen; above {@link version} while writes between are missing. */
  get latestVersion(): number {
    return this.#latest;
  }

  /** Grows with every change of what {@link values} or {@link entries} would return. */
  get revision(): number {
    return this.#revision;
  }

  /** True once a document (snapshot) was applied. */
  get loaded(): boolean {
    return this.#floor >= 0;
  }

  /**
   * Applies changes: a `changes` event's (with its `writes`), a write's reply (its version as
   * the one write), or a conflict's current entries (no write known whole). True when anything
   * shown changed (values, entries, version).
   */
  applyChanges(changes: readonly StateChange[], writes: readonly number[] = []): boolean {
    let changed = false;
    for (const change of changes) {
      this.#see(change.version);
      if (change.version <= this.#floor) continue;
      const held = this.#held.get(change.key);
      if (held !== undefined && change.version <= held.version) continue;
      this.#held.set(change.key, toHeld(change));
      changed = true;
    }
    const before = this.#version;
    for (const write of writes) {
      this.#see(write);
      if (write > this.#version) this.#known.add(write);
    }
    this.#advance(this.#version);
    if (this.#version !== before) changed = true;
    if (changed) this.#revision++;
    return changed;
  }

  /** Notes a version the hub reported without its writes (a conflict's `details.version`). */
  seeVersion(version: number): void {
    this.#see(version);
  }

  /**
   * Applies a document: a subscribe reply's snapshot, a `reload` event's document or a
   * `state.get` reply. With `reset` (the subscription's missed events are gone) a document
   * older than what is held means the hub lost the document and started again: it replaces
   * everything instead of merging.
   */
  applyDocument(document: StateDocument, options: { reset?: boolean } = {}): boolean {
    let changed = false;
    if (options.reset && document.version < this.#latest) {
      this.#held.clear();
      this.#known.clear();
      this.#floor = -1;
      this.#version = 0;
      this.#latest = 0;
      changed = true;
    }
    for (const [key, entry] of Object.entries(document.entries)) {
      const held = this.#held.get(key);
      const newer = held === undefined ? entry.version > this.#floor : entry.version > held.version;
      if (!newer) continue;
      this.#held.set(key, entry);
      changed = true;
    }
    for (const [key, held] of this.#held) {
      if (held.version > document.version || Object.hasOwn(document.entries, key)) continue;
      // Absent from a document at least as new: deleted at or before its version.
      this.#held.delete(key);
      if (!held.deleted) changed = true;
    }
    if (document.version > this.#floor) this.#floor = document.version;
    this.#see(document.version);
    const before = this.#version;
    this.#advance(document.version);
    if (this.#version !== before) changed = true;
    if (changed) this.#revision++;
    return changed;
  }

  /**
   * Applies the entries a `state_conflict` refusal carries (the hub's current ones); a null
   * entry (deleted) carries no version and changes nothing.
   */
  applyEntries(entries: Readonly<Record<string, StateEntry | null>>): boolean {
    const changes: StateChange[] = [];
    for (const [key, entry] of Object.entries(entries)) {
      if (entry !== null) changes.push({ key, ...entry });
    }
    return this.applyChanges(changes);
  }

  /** Shows a write at once, over the confirmed values, until {@link settle}. */
  addPending(write: PendingWrite): void {
    this.#pending = [...this.#pending, write];
    this.#revision++;
  }

  /**
   * Ends a pending write: accepted (its reply's `changes` join the confirmed layer) or refused
   * (its keys show the confirmed values again).
   */
  settle(id: number, accepted?: { version: number; changes: readonly StateChange[] }): void {
    const before = this.#pending.length;
    this.#pending = this.#pending.filter((write) => write.id !== id);
    if (this.#pending.length !== before) this.#revision++;
    if (accepted) this.applyReply(accepted);
  }

  /**
   * Applies an accepted write's reply: its changes, and its version as a write known whole. A
   * reply that changed nothing carries the document's current version, which is no write of
   * ours: it is only seen.
   */
  applyReply(reply: { version: number; changes: readonly StateChange[] }): boolean {
    if (reply.changes.length === 0) {
      this.#see(reply.version);
      return false;
    }
    return this.applyChanges(reply.changes, [reply.version]);
  }

  /** The keys that unanswered writes touch, in the order first written. */
  pendingKeys(): string[] {
    const keys = new Set<string>();
    for (const write of this.#pending) {
      for (const key of Object.keys(write.set)) keys.add(key);
      for (const key of write.delete) keys.add(key);
    }
    return [...keys];
  }

  /** The version held for `key`, a deleted key's tombstone included; 0 when none is held. */
  heldVersion(key: string): number {
    return this.#held.get(key)?.version ?? 0;
  }

  /** The confirmed entries (deleted keys left out). */
  entries(): Record<string, StateEntry> {
    const entries: Record<string, StateEntry> = {};
    for (const [key, held] of this.#held) {
      if (!held.deleted) entries[key] = held;
    }
    return entries;
  }

  /**
   * The values as the user sees them: the confirmed ones with the pending writes applied in
   * order, so a key's own echo never shows an older value while a newer write waits.
   */
  values(): Record<string, unknown> {
    const values = new Map<string, unknown>();
    for (const [key, held] of this.#held) {
      if (!held.deleted) values.set(key, held.value);
    }
    for (const write of this.#pending) {
      for (const [key, value] of Object.entries(write.set)) values.set(key, value);
      for (const key of write.delete) values.delete(key);
    }
    return Object.fromEntries(values);
  }

  /** The confirmed document. */
  document(name: string): StateDocument {
    return { name, version: this.#version, entries: this.entries() };
  }

  #see(version: number): void {
    if (version <= this.#latest) return;
    this.#latest = version;
    this.#revision++;
  }

  /** Raises the watermark to `to` (every write up to it known), then over the known versions. */
  #advance(to: number): void {
    if (to > this.#version) {
      this.#version = to;
      for (const version of this.#known) if (version <= to) this.#known.delete(version);
    }
    while (this.#known.delete(this.#version + 1)) this.#version++;
  }
}

function toHeld(change: StateChange): Held {
  const { version, updatedBy, updatedAt } = change;
  return change.deleted
    ? { value: undefined, deleted: true, version, updatedBy, updatedAt }
    : { value: change.value, version, updatedBy, updatedAt };
}
