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
 * version held for its key, tombstones of deleted keys included; the document's version is the
 * greatest seen. A document (snapshot or reload) is authoritative at its version: its entries
 * apply by the same rule and the held keys it lacks that are not newer than it are deleted.
 * Every change at or below the newest document's version is then stale (the document already
 * reflects it), so tombstones up to that version are dropped: their `floor` does their work.
 */
export class StateDocumentModel {
  readonly #held = new Map<string, Held>();
  #pending: PendingWrite[] = [];
  #version = 0;
  /** The version of the newest document applied (-1 before the first). */
  #floor = -1;
  #revision = 0;

  /** The greatest version seen (0 before anything). */
  get version(): number {
    return this.#version;
  }

  /** Grows with every change of what {@link values} or {@link entries} would return. */
  get revision(): number {
    return this.#revision;
  }

  /** True once a document (snapshot) was applied. */
  get loaded(): boolean {
    return this.#floor >= 0;
  }

  /** Applies the changes of a `changes` event or of a write's reply; true when any applied. */
  applyChanges(changes: readonly StateChange[], version = 0): boolean {
    let changed = false;
    for (const change of changes) {
      if (change.version <= this.#floor) continue;
      const held = this.#held.get(change.key);
      if (held !== undefined && change.version <= held.version) continue;
      this.#held.set(change.key, toHeld(change));
      changed = true;
      if (change.version > this.#version) this.#version = change.version;
    }
    if (version > this.#version) {
      this.#version = version;
      changed = true;
    }
    if (changed) this.#revision++;
    return changed;
  }

  /**
   * Applies a document: a subscribe reply's snapshot, a `reload` event's document or a
   * `state.get` reply. With `reset` (the subscription's missed events are gone) a document
   * older than what is held means the hub lost the document and started again: it replaces
   * everything instead of merging.
   */
  applyDocument(document: StateDocument, options: { reset?: boolean } = {}): boolean {
    let changed = false;
    if (options.reset && document.version < this.#version) {
      this.#held.clear();
      this.#floor = -1;
      this.#version = 0;
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
    if (document.version > this.#version) {
      this.#version = document.version;
      changed = true;
    }
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
    if (accepted) this.applyChanges(accepted.changes, accepted.version);
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
}

function toHeld(change: StateChange): Held {
  const { version, updatedBy, updatedAt } = change;
  return change.deleted
    ? { value: undefined, deleted: true, version, updatedBy, updatedAt }
    : { value: change.value, version, updatedBy, updatedAt };
}
