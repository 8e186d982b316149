import type { StateChange, StateDocument, StateEntry } from "@switchyard/protocol";

/** When and by whom a key was deleted: its version orders it against later writes. */
export interface Tombstone {
  readonly version: number;
  readonly updatedBy: string | null;
  readonly updatedAt: number;
}

/**
 * A document as the key-value store keeps it: its entries, and the tombstones of deleted keys
 * (so `ifVersion` sees a delete as a change of the key).
 */
export interface StoredDocument {
  readonly version: number;
  readonly entries: Readonly<Record<string, StateEntry>>;
  readonly tombstones: Readonly<Record<string, Tombstone>>;
}

/** One atomic write: keys to set (values already validated) and keys to delete. */
export interface WriteOps {
  readonly set: ReadonlyMap<string, unknown>;
  readonly delete: readonly string[];
}

/** Who writes, and when. */
export interface Stamp {
  readonly by: string | null;
  readonly at: number;
}

/** Tombstones kept per document; the oldest go first (a client that old reloads anyway). */
const MAX_TOMBSTONES = 1000;

export const EMPTY_DOCUMENT: StoredDocument = { version: 0, entries: {}, tombstones: {} };

/** The version that last changed `key` (set or deleted), 0 when never. */
export function keyVersion(document: StoredDocument, key: string): number {
  return document.entries[key]?.version ?? document.tombstones[key]?.version ?? 0;
}

/** The document clients see: the stored entries, with declared defaults for absent keys. */
export function toPublic(
  name: string,
  document: StoredDocument,
  defaults: ReadonlyMap<string, unknown>,
): StateDocument {
  const entries: Record<string, StateEntry> = { ...document.entries };
  for (const [key, value] of defaults) {
    if (Object.hasOwn(entries, key)) continue;
    const tombstone = document.tombstones[key];
    entries[key] = {
      value,
      version: tombstone?.version ?? 0,
      updatedBy: tombstone?.updatedBy ?? null,
      updatedAt: tombstone?.updatedAt ?? 0,
    };
  }
  return { name, version: document.version, entries };
}

/** The current entry of `key` as clients see it (default included), or null when absent. */
export function publicEntry(
  document: StoredDocument,
  key: string,
  defaults: ReadonlyMap<string, unknown>,
): StateEntry | null {
  const entry = document.entries[key];
  if (entry !== undefined) return entry;
  if (!defaults.has(key)) return null;
  const tombstone = document.tombstones[key];
  return {
    value: defaults.get(key),
    version: tombstone?.version ?? 0,
    updatedBy: tombstone?.updatedBy ?? null,
    updatedAt: tombstone?.updatedAt ?? 0,
  };
}

/** The change of a deleted key: a tombstone, or its default value coming back. */
function deletion(
  key: string,
  version: number,
  stamp: Stamp,
  defaults: ReadonlyMap<string, unknown>,
): StateChange {
  const common = { key, version, updatedBy: stamp.by, updatedAt: stamp.at };
  return defaults.has(key)
    ? { ...common, value: defaults.get(key) }
    : { ...common, deleted: true as const };
}

/**
 * Applies one write at the next version. Deleting an absent key changes nothing; a write that
 * changes nothing leaves the document (and its version) as it was.
 */
export function applyWrite(
  document: StoredDocument,
  ops: WriteOps,
  stamp: Stamp,
  defaults: ReadonlyMap<string, unknown>,
): { document: StoredDocument; changes: StateChange[] } {
  const version = document.version + 1;
  const entries: Record<string, StateEntry> = { ...document.entries };
  const tombstones: Record<string, Tombstone> = { ...document.tombstones };
  const changes: StateChange[] = [];
  for (const [key, value] of ops.set) {
    entries[key] = { value, version, updatedBy: stamp.by, updatedAt: stamp.at };
    delete tombstones[key];
    changes.push({ key, value, version, updatedBy: stamp.by, updatedAt: stamp.at });
  }
  for (const key of ops.delete) {
    if (ops.set.has(key) || !Object.hasOwn(entries, key)) continue;
    delete entries[key];
    tombstones[key] = { version, updatedBy: stamp.by, updatedAt: stamp.at };
    changes.push(deletion(key, version, stamp, defaults));
  }
  if (changes.length === 0) return { document, changes };
  return { document: { version, entries, tombstones: trimmed(tombstones) }, changes };
}

/**
 * Replaces the whole document with `values` at the next version: keys whose value is the same
 * keep their entry, the others are written, keys absent from `values` are deleted.
 */
export function applyReload(
  document: StoredDocument,
  values: ReadonlyMap<string, unknown>,
  stamp: Stamp,
  defaults: ReadonlyMap<string, unknown>,
): { document: StoredDocument; changes: StateChange[] } {
  const set = new Map<string, unknown>();
  for (const [key, value] of values) {
    const entry = document.entries[key];
    if (entry === undefined || !sameValue(entry.value, value)) set.set(key, value);
  }
  const removed = Object.keys(document.entries).filter((key) => !values.has(key));
  return applyWrite(document, { set, delete: removed }, stamp, defaults);
}

/** The values of the stored entries (what a file keeps). */
export function valuesOf(document: StoredDocument): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(document.entries).sort()) {
    values[key] = document.entries[key]?.value;
  }
  return values;
}

/** Bytes of `value` as JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

/** Bytes of the document's keys and values as JSON. */
export function documentBytes(document: StoredDocument): number {
  let bytes = 0;
  for (const [key, entry] of Object.entries(document.entries)) {
    bytes += Buffer.byteLength(key, "utf8") + jsonBytes(entry.value);
  }
  return bytes;
}

/** True when two JSON values are the same (compared as JSON with sorted keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    const object = inner as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, object[key]]),
    );
  });
}

function trimmed(tombstones: Record<string, Tombstone>): Record<string, Tombstone> {
  const keys = Object.keys(tombstones);
  if (keys.length <= MAX_TOMBSTONES) return tombstones;
  const newest = keys
    .sort((a, b) => (tombstones[b]?.version ?? 0) - (tombstones[a]?.version ?? 0))
    .slice(0, MAX_TOMBSTONES);
  return Object.fromEntries(newest.map((key) => [key, tombstones[key] as Tombstone]));
}
