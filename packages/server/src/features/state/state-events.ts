import type { StateChange, StateDocument } from "@switchyard/protocol";

/** What `hub.state(name).on(event, listener)` reports. */
export interface StateHandleEvents {
  /** A write applied through this node (server code, a client's RPC, the HTTP API). */
  change: { version: number; changes: readonly StateChange[]; by: string | null };
  /** The whole document was replaced through this node (`reason`: `"file modified"`, …). */
  reload: { document: StateDocument; reason: string };
  /** The document's file could not be loaded, validated or written (the document is kept). */
  error: Error;
}

type Listener<E extends keyof StateHandleEvents> = (data: StateHandleEvents[E]) => void;

/** The listeners of each document's events on this node. */
export class StateEvents {
  private readonly listeners = new Map<string, Set<Listener<keyof StateHandleEvents>>>();

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  on<E extends keyof StateHandleEvents>(name: string, event: E, listener: Listener<E>): () => void {
    const key = `${event}\n${name}`;
    let set = this.listeners.get(key);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(key, set);
    }
    const added = listener as Listener<keyof StateHandleEvents>;
    set.add(added);
    return () => {
      set.delete(added);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** Calls the listeners of `event` on `name`; a throwing listener does not stop the others. */
  emit<E extends keyof StateHandleEvents>(name: string, event: E, data: StateHandleEvents[E]) {
    for (const listener of this.listeners.get(`${event}\n${name}`) ?? []) {
      try {
        listener(data);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** True when someone listens to `event` on `name`. */
  has(name: string, event: keyof StateHandleEvents): boolean {
    return this.listeners.has(`${event}\n${name}`);
  }
}
