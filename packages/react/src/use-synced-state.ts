import type {
  CallOptions,
  StateBatch,
  StateSnapshot,
  StateStore,
  StateValues,
  StateWriteOptions,
} from "@switchyard/client";
import { useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useShared, useStoreSnapshot } from "./store-bridge.js";
import { noClient, stateBefore } from "./without-client.js";

/** The writes of a synced state store, bound: pass them to event handlers as they are. */
export type StateActions<T extends StateValues> = Pick<
  StateStore<T>,
  "set" | "delete" | "batch" | "applyPreset" | "undo" | "reload"
>;

/** What {@link useSyncedState} returns: the document's snapshot and its writes. */
export interface SyncedStateView<T extends StateValues> extends StateSnapshot<T>, StateActions<T> {}

/** The writes of `store`, or writes that reject with `client_closed` without one. */
export function stateActions<T extends StateValues>(store: StateStore<T> | null): StateActions<T> {
  if (!store) {
    return {
      set: noClient,
      delete: noClient,
      batch: noClient,
      applyPreset: noClient,
      undo: noClient,
      reload: noClient,
    };
  }
  return {
    set: (key, value, options?: StateWriteOptions) => store.set(key, value, options),
    delete: (key, options?: StateWriteOptions) => store.delete(key, options),
    batch: (write: StateBatch<T>, options?: StateWriteOptions) => store.batch(write, options),
    applyPreset: (preset: string, options?: StateWriteOptions) =>
      store.applyPreset(preset, options),
    undo: (options?: CallOptions) => store.undo(options),
    reload: (options?: CallOptions) => store.reload(options),
  };
}

/**
 * Follows a synced state document (`client.state(name)`, docs/state.md): its values with this
 * client's unanswered writes applied, version, status, `pending` keys, the last refused write
 * (`error`, with the hub's entries on a `state_conflict`), and `conflicts` left by `undo()`;
 * with `set`, `delete`, `batch`, `applyPreset`, `undo` and `reload`. Writes show at once and
 * roll back if refused. Re-renders on every change of the document: to render one key, use
 * `useStateValue`.
 *
 * @example
 * function PhysicsPanel() {
 *   const physics = useSyncedState<{ "physics.damping": number; "physics.gravity": number }>("settings");
 *   if (physics.status === "loading") return <p>Loading…</p>;
 *   return (
 *     <fieldset>
 *       <button onClick={() => physics.applyPreset("calm")}>Calm</button>
 *       <button onClick={() => physics.batch({ set: { "physics.damping": 0.5, "physics.gravity": 9.8 } })}>Reset</button>
 *       <button onClick={() => physics.undo()}>Undo</button>
 *       {physics.pending.length > 0 && <span>saving…</span>}
 *       {physics.error && <p role="alert">{physics.error.error.message}</p>}
 *     </fieldset>
 *   );
 * }
 */
export function useSyncedState<T extends StateValues = StateValues>(
  name: string | null,
): SyncedStateView<T> {
  const { registry } = useSwitchyardContext();
  const shared = useShared(
    name === null ? null : registry,
    (r) => r.state(name as string) as StateStore<T>,
    (r) => r.retainState(name as string) as { value: StateStore<T>; release(): void },
  );
  const server = useMemo(() => stateBefore<T>(name ?? ""), [name]);
  const snapshot = useStoreSnapshot(shared, server);
  const actions = useMemo(() => stateActions(shared.store), [shared.store]);
  return useMemo(() => ({ ...snapshot, ...actions }), [snapshot, actions]);
}
