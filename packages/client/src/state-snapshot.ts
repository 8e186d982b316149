/**
 * What a synced state store shows (`client.state(name).getSnapshot()`): its snapshot, status,
 * refusals and events. The store itself is in state.ts.
 */
import type { StateEntry, StateUndoResult, SwitchyardError } from "@switchyard/protocol";

/** A document's values: dotted keys to JSON values. */
export type StateValues = Record<string, unknown>;

/**
 * - `loading`: waiting for the hub's first snapshot.
 * - `ready`: subscribed; the hub's changes arrive.
 * - `offline`: the link is down (or the subscription is being renewed); values are the last
 *   known ones, writes are shown and queued in the outbox.
 * - `error`: the hub refused the subscription (`subscribeError`: `state_not_found`,
 *   `forbidden`); retried on the next reconnect.
 */
export type StateStatus = "loading" | "ready" | "offline" | "error";

/** A write as the store sent it, reported with its refusal. */
export interface StateWriteRequest {
  /** `write`: `set`, `delete` or `batch`; `preset`: `applyPreset`; `undo`: `undo`. */
  readonly kind: "write" | "preset" | "undo";
  readonly set?: Readonly<StateValues>;
  readonly delete?: readonly string[];
  readonly preset?: string;
  readonly ifVersion?: number;
}

/** A write the hub refused (or that never reached it), and why. */
export interface StateRefusal {
  /**
   * `state_conflict` (details: {@link StateConflictDetails}), `state_invalid_value`,
   * `state_unknown_key`, `state_too_large`, `state_unknown_preset`, `forbidden`, or a client
   * error: `outbox_full`, `request_timeout`, `connection_lost` (sent, link dropped before the
   * reply: it may have applied; the hub's changes tell), `client_closed`, `aborted`.
   */
  readonly error: SwitchyardError;
  readonly write: StateWriteRequest;
}

/** A synced state document as `client.state(name)` shows it. */
export interface StateSnapshot<T extends StateValues = StateValues> {
  readonly name: string;
  readonly status: StateStatus;
  /**
   * Every write up to this document version is in `values` and `entries` (0 before the first
   * write): the version to pass as `ifVersion`. Changes above it show at once too; the version
   * waits until the writes between have arrived (on a cluster, another node's batch may come
   * after a later one), or asks the hub for the document when one is missing for `gapTimeout`.
   */
  readonly version: number;
  /** The greatest document version seen; above `version` while a write between is missing. */
  readonly latestVersion: number;
  /** Every key's value, with this client's unanswered writes already applied. */
  readonly values: Readonly<Partial<T>>;
  /** The hub's confirmed entries (version, author, time), without the unanswered writes. */
  readonly entries: Readonly<Record<string, StateEntry>>;
  /** Keys with unanswered writes of this store (shown optimistically in `values`). */
  readonly pending: readonly string[];
  /** The last refused write, until a later write of this store is accepted; or null. */
  readonly error: StateRefusal | null;
  /** Keys the last `undo()` left alone because someone changed them since. */
  readonly conflicts: StateUndoResult["conflicts"];
  /** Why the hub refused the subscription (status `error`), or null. */
  readonly subscribeError: Error | null;
}

/** Listeners of a state store (`store.on(type, listener)`). */
export interface StateEvents {
  /** A write was refused (also when the caller ignores the promise). */
  refused: (refusal: StateRefusal) => void;
}

/** The snapshot of a state document before its snapshot arrived. */
export function initialStateSnapshot<T extends StateValues>(name: string): StateSnapshot<T> {
  return {
    name,
    status: "loading",
    version: 0,
    latestVersion: 0,
    values: {} as Partial<T>,
    entries: {},
    pending: [],
    error: null,
    conflicts: [],
    subscribeError: null,
  };
}
