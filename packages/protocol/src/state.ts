/**
 * The wire shapes of synced state (docs/state.md), shared by the hub and its clients: the
 * document in every subscribe reply of `state:<name>` and in the `state.get` reply, the data
 * of the events on that channel, and the arguments and replies of the `state.*` RPCs.
 * Types only: nothing here runs.
 */

/** One key of a state document. */
export interface StateEntry {
  /** A JSON value. */
  readonly value: unknown;
  /** The document version that last wrote this key. */
  readonly version: number;
  /** The user (or `server`, or a client id for anonymous clients) who last wrote it, or null. */
  readonly updatedBy: string | null;
  /** Milliseconds since the Unix epoch (hub clock). */
  readonly updatedAt: number;
}

/**
 * A state document: `result.snapshot` of every subscribe reply of `state:<name>`, and the
 * reply of `state.get`. Keys are dotted paths (`physics.damping`). It reflects every write up
 * to its `version`.
 */
export interface StateDocument {
  readonly name: string;
  /** Grows by one with every applied write (a batch is one write). 0 before the first. */
  readonly version: number;
  readonly entries: Readonly<Record<string, StateEntry>>;
}

/**
 * One key's change. A deleted key carries `deleted: true` and no value; its `version` is the
 * version that deleted it (a tombstone: a change with a lower version for that key is stale).
 */
export interface StateChange {
  readonly key: string;
  /** The new value; absent when `deleted`. */
  readonly value?: unknown;
  readonly deleted?: true;
  readonly version: number;
  readonly updatedBy: string | null;
  readonly updatedAt: number;
}

/** The data of each event on `state:<name>`. */
export interface StateEventData {
  /**
   * The writes of one node in one batching window (100 ms or 10 writes by default), newest
   * change per key. Cross-node writes may arrive out of version order: a client applies a
   * change only when its `version` is greater than the version it holds for that key
   * (tombstones included).
   */
  changes: {
    /** The greatest version among `writes`. */
    readonly version: number;
    readonly changes: readonly StateChange[];
    /**
     * The document version of every write whose changes this event carries, ascending: those
     * whose changes a later write of the batch superseded included. Every version of a document
     * is one write (or reload), so a client that holds a snapshot at version `s` and the
     * `writes` of its events knows it has seen every write up to `v` when each of `s + 1 … v`
     * is in one of them (its contiguous watermark).
     */
    readonly writes: readonly number[];
  };
  /**
   * The whole document was replaced (`reason`: `"file modified"`, `"reload"`, …). A key absent
   * from `document` whose held version is below `document.version` is deleted; the others
   * follow the rule of `changes`. Like every document (a subscribe reply's snapshot, the
   * `state.get` reply), it reflects every write up to its `version`.
   */
  reload: { readonly document: StateDocument; readonly reason: string };
}

/** The events of `state:<name>`. */
export type StateEventName = keyof StateEventData;

/**
 * The argument of the `state.write` RPC (and the body of `PATCH /api/state/{name}`): one
 * atomic write — every key is set or deleted, at one version, or nothing is.
 */
export interface StateWrite {
  readonly name: string;
  /** Keys to set, with their new values. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Keys to delete. */
  readonly delete?: readonly string[];
  /**
   * Compare-and-set: the write applies only when none of its keys changed after this document
   * version; otherwise it is refused with `state_conflict` (details: the current entries of the
   * keys involved). Without it, the last writer wins per key.
   */
  readonly ifVersion?: number;
}

/** The argument of the `state.preset` RPC. */
export interface StatePresetWrite {
  readonly name: string;
  readonly preset: string;
  readonly ifVersion?: number;
}

/** The reply of `state.write`, `state.preset` and `state.undo`. */
export interface StateWriteResult {
  /** The document version after the write (unchanged when nothing was written). */
  readonly version: number;
  /** What the write changed, as the `changes` event will carry it. */
  readonly changes: readonly StateChange[];
}

/** The reply of `state.undo`. */
export interface StateUndoResult extends StateWriteResult {
  /** False when the caller had nothing to undo. */
  readonly undone: boolean;
  /**
   * Keys of the undone write that someone else changed since: left as they are, never
   * overwritten, with their current entry (null: deleted).
   */
  readonly conflicts: readonly { readonly key: string; readonly entry: StateEntry | null }[];
}

/** `details` of a `state_conflict` error: the current entries of the keys involved. */
export interface StateConflictDetails {
  readonly version: number;
  readonly entries: Readonly<Record<string, StateEntry | null>>;
}
