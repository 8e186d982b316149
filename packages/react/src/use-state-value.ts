import type {
  StateEntry,
  StateRefusal,
  StateSnapshot,
  StateStore,
  StateValues,
  StateWriteOptions,
  StateWriteResult,
} from "@switchyard/client";
import { useCallback, useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useSelectedSnapshot, useShared } from "./store-bridge.js";
import { noClient } from "./without-client.js";

/** One key of a synced state document, as {@link useStateValue} shows it. */
export interface StateValueView<V> {
  /** The key's value, with this client's unanswered write applied; undefined when unset. */
  readonly value: V | undefined;
  /** The hub's confirmed entry (version, author, time), without the unanswered write. */
  readonly entry: StateEntry | undefined;
  /** True while a write of this key waits for the hub's answer. */
  readonly pending: boolean;
  /** The last refused write, when it touched this key (a `state_conflict` among others). */
  readonly error: StateRefusal | null;
  /** Set when the last `undo()` left this key alone because someone changed it since. */
  readonly conflict: { readonly entry: StateEntry | null } | null;
  /** Sets the key (shown at once, rolled back if refused). */
  set(value: V, options?: StateWriteOptions): Promise<StateWriteResult>;
  /** Deletes the key (a declared default shows again). */
  remove(options?: StateWriteOptions): Promise<StateWriteResult>;
}

type Selection = Omit<StateValueView<unknown>, "set" | "remove">;

function touches(refusal: StateRefusal | null, key: string): boolean {
  const write = refusal?.write;
  if (!write) return false;
  if (write.kind !== "write") return true; // a preset or an undo may touch any key
  return (write.set !== undefined && key in write.set) || (write.delete?.includes(key) ?? false);
}

function select(snapshot: StateSnapshot, key: string): Selection {
  const found = snapshot.conflicts.find((conflict) => conflict.key === key);
  return {
    value: snapshot.values[key],
    entry: snapshot.entries[key],
    pending: snapshot.pending.includes(key),
    error: touches(snapshot.error, key) ? snapshot.error : null,
    conflict: found ? { entry: found.entry } : null,
  };
}

function same(a: Selection, b: Selection): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.entry === b.entry &&
    a.pending === b.pending &&
    a.error === b.error &&
    a.conflict?.entry === b.conflict?.entry &&
    (a.conflict === null) === (b.conflict === null)
  );
}

const SERVER: Selection = Object.freeze({
  value: undefined,
  entry: undefined,
  pending: false,
  error: null,
  conflict: null,
});

/**
 * One key of a synced state document: re-renders only when that key's value, entry, pending
 * flag, refusal or undo conflict changes, not for the document's other keys. Shares the
 * document's store with `useSyncedState` and the other keys' hooks.
 *
 * @example
 * function DampingSlider() {
 *   const damping = useStateValue<{ "physics.damping": number }, "physics.damping">(
 *     "settings",
 *     "physics.damping",
 *   );
 *   return (
 *     <label>
 *       Damping {damping.pending && "(saving)"}
 *       <input
 *         type="range" min={0} max={1} step={0.05}
 *         value={damping.value ?? 0.5}
 *         onChange={(e) => damping.set(Number(e.target.value))}
 *       />
 *       {damping.error && <span role="alert">{damping.error.error.code}</span>}
 *     </label>
 *   );
 * }
 */
export function useStateValue<
  T extends StateValues = StateValues,
  K extends keyof T & string = keyof T & string,
>(name: string | null, key: K): StateValueView<T[K]> {
  const { registry } = useSwitchyardContext();
  const shared = useShared(
    name === null ? null : registry,
    (r) => r.state(name as string) as StateStore<T>,
    (r) => r.retainState(name as string) as { value: StateStore<T>; release(): void },
  );
  const { store } = shared;
  const selectKey = useMemo(
    () => (snapshot: StateSnapshot<T>) => select(snapshot as StateSnapshot, key),
    [key],
  );
  const selection = useSelectedSnapshot(shared, SERVER, selectKey, same);
  const set = useCallback(
    (value: T[K], options?: StateWriteOptions) =>
      store ? store.set(key, value, options) : noClient(),
    [store, key],
  );
  const remove = useCallback(
    (options?: StateWriteOptions) => (store ? store.delete(key, options) : noClient()),
    [store, key],
  );
  return useMemo(
    () => ({ ...(selection as Selection & { value: T[K] | undefined }), set, remove }),
    [selection, set, remove],
  );
}
