import type { StateDocument, StateUndoResult, StateWriteResult } from "@switchyard/protocol";
import type { HubState } from "./state.js";
import type { StateHandleEvents } from "./state-events.js";

/** Options of a server-side write. */
export interface StateWriteOptions {
  /**
   * Compare-and-set: refused with `state_conflict` when a key of the write changed after this
   * document version.
   */
  ifVersion?: number;
  /**
   * `updatedBy` of the keys written, and the undo stack the write goes on.
   * @default "server"
   */
  by?: string;
}

/**
 * One state document as server code uses it (`hub.state(name)`). Server writes are not
 * subject to the document's read and write rules; values are validated as any write.
 *
 * @example
 * const settings = hub.state("settings");
 * await settings.set("physics.damping", 0.4);
 * await settings.batch({ set: { "physics.gravity": 9.8 }, delete: ["debug.grid"] });
 * settings.on("change", ({ changes }) => console.log(changes));
 */
export interface StateHandle {
  readonly name: string;
  /** The document as clients see it (defaults filled in). */
  get(): Promise<StateDocument>;
  /** The value of `key` (its default when unset), or undefined. */
  value(key: string): Promise<unknown>;
  /** Sets one key. */
  set(key: string, value: unknown, options?: StateWriteOptions): Promise<StateWriteResult>;
  /** Sets and deletes keys in one atomic write (one version, one change). */
  batch(
    write: { set?: Record<string, unknown>; delete?: string[] },
    options?: StateWriteOptions,
  ): Promise<StateWriteResult>;
  /** Deletes one key (a key with a default gets its default back). */
  delete(key: string, options?: StateWriteOptions): Promise<StateWriteResult>;
  /** Applies a preset the document declares. */
  preset(preset: string, options?: StateWriteOptions): Promise<StateWriteResult>;
  /**
   * Replaces the whole document (validated first) and sends every subscriber a `reload` event.
   * A document whose file failed to load is written to its file again after a reload.
   */
  reload(
    values: Record<string, unknown>,
    options?: { reason?: string; by?: string },
  ): Promise<StateWriteResult>;
  /** Reverts the last write made with `by` (default `"server"`). */
  undo(by?: string): Promise<StateUndoResult>;
  /** Listens to the document's events on this node; returns the function that stops. */
  on<E extends keyof StateHandleEvents>(
    event: E,
    listener: (data: StateHandleEvents[E]) => void,
  ): () => void;
}

/** The default `updatedBy` of server writes. */
export const SERVER_WRITER = "server";

/** A {@link StateHandle} on `state`; throws `state_not_found` for an undeclared name. */
export function stateHandle(
  state: HubState,
  name: string,
  onReload?: (name: string) => void,
): StateHandle {
  state.declared.resolve(name);
  const actor = (options?: StateWriteOptions) => {
    const by = options?.by ?? SERVER_WRITER;
    return { by, user: by };
  };
  const cas = (options?: StateWriteOptions) =>
    options?.ifVersion === undefined ? {} : { ifVersion: options.ifVersion };
  return {
    name,
    get: () => state.get(name),
    value: async (key) => (await state.get(name)).entries[key]?.value,
    set: (key, value, options) =>
      state.write(name, { set: { [key]: value }, ...cas(options) }, actor(options)),
    batch: (write, options) => state.write(name, { ...write, ...cas(options) }, actor(options)),
    delete: (key, options) => state.write(name, { delete: [key], ...cas(options) }, actor(options)),
    preset: (preset, options) => state.preset(name, preset, actor(options), options?.ifVersion),
    reload: async (values, options) => {
      const result = await state.reload(name, values, {
        reason: options?.reason ?? "reload",
        by: options?.by ?? SERVER_WRITER,
      });
      onReload?.(name);
      return result;
    },
    undo: (by) => state.undo(name, actor(by === undefined ? undefined : { by })),
    on: (event, listener) => state.events.on(name, event, listener),
  };
}
