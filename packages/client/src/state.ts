import {
  type StateConflictDetails,
  type StateDocument,
  type StateEventData,
  type StateUndoResult,
  type StateWrite,
  type StateWriteResult,
  SwitchyardError,
} from "@switchyard/protocol";
import type { JobLink } from "./job.js";
import type { CallOptions } from "./requests.js";
import { StateDocumentModel } from "./state-document.js";
import { StateGapWatch } from "./state-gap.js";
import {
  initialStateSnapshot,
  type StateEvents,
  type StateRefusal,
  type StateSnapshot,
  type StateStatus,
  type StateValues,
  type StateWriteRequest,
} from "./state-snapshot.js";
import { Emitter, type Readable, Store } from "./store.js";
import type { ReceivedEvent, ResetInfo, SubscriptionState } from "./subscription.js";

/** What the state stores need from the client (untyped by any contract). */
export interface StateLink {
  subscribe: JobLink["subscribe"];
  rpc(method: string, data: unknown, options?: CallOptions): Promise<unknown>;
}

/** Options of `client.state(name, options)`. */
export interface StateStoreOptions {
  /**
   * Milliseconds a version may stay seen above the store's `version` (a write between it and
   * the version still missing: another hub node's batch late, or lost with a node that died)
   * before the store asks the hub for the whole document (`state.get`), which closes the gap.
   * Twice the hub's default batch window, with room for the network.
   * @default 1000
   */
  gapTimeout?: number;
}

/** Default of {@link StateStoreOptions.gapTimeout}. */
export const DEFAULT_STATE_GAP_TIMEOUT = 1000;

/** Options of the store's writes. */
export interface StateWriteOptions extends CallOptions {
  /**
   * Compare-and-set: applies only when none of the write's keys changed after this document
   * version; else refused with `state_conflict`. Pass the snapshot's `version`: every change up
   * to it is in the values you saw.
   */
  ifVersion?: number;
}

/** The keys to set and to delete in one atomic write. */
export interface StateBatch<T extends StateValues = StateValues> {
  set?: Partial<T>;
  delete?: readonly (keyof T & string)[];
}

/**
 * A synced state document (`client.state(name)`, docs/state.md): a store of its values that
 * follows `state:<name>`, with writes.
 *
 * Writes show at once (optimistic) and are sent as RPC calls through the outbox, so while the
 * link is down they are queued (within the outbox limit) and sent when it is back. While a key
 * has unanswered writes, the hub's changes of that key update `entries` but `values` keeps
 * showing the newest local write (no flicker back to an echo of an older one); once the last
 * one is answered `values` shows the hub's value. A refused write rolls its keys back, rejects
 * its promise with a `SwitchyardError`, sets `error` and emits `refused`. The promises never
 * raise an unhandled rejection when ignored: the refusal is reported by the store.
 */
export interface StateStore<T extends StateValues = StateValues>
  extends Readable<StateSnapshot<T>> {
  readonly name: string;
  /** Sets one key. */
  set<K extends keyof T & string>(
    key: K,
    value: T[K],
    options?: StateWriteOptions,
  ): Promise<StateWriteResult>;
  /** Deletes one key (a key with a declared default shows the default again). */
  delete(key: keyof T & string, options?: StateWriteOptions): Promise<StateWriteResult>;
  /** Sets and deletes several keys in one atomic write (one version). */
  batch(write: StateBatch<T>, options?: StateWriteOptions): Promise<StateWriteResult>;
  /** Applies one of the document's named presets (server-defined, one atomic write). */
  applyPreset(preset: string, options?: StateWriteOptions): Promise<StateWriteResult>;
  /**
   * Undoes this user's (or this session's) last write; keys changed by someone else since are
   * left alone and listed in `conflicts`.
   */
  undo(options?: CallOptions): Promise<StateUndoResult>;
  /** Asks the hub for the whole document (RPC `state.get`) and merges it. */
  reload(options?: CallOptions): Promise<StateDocument>;
  /** Listens to refusals; returns the function that stops listening. */
  on<K extends keyof StateEvents>(type: K, listener: StateEvents[K]): () => void;
  /** Stops following the document (the channel is left once nothing else uses it). */
  dispose(): void;
}

class SyncedStateStore<T extends StateValues> implements StateStore<T> {
  readonly name: string;
  readonly getSnapshot: () => StateSnapshot<T>;
  readonly subscribe: (listener: () => void) => () => void;
  readonly #link: StateLink;
  readonly #model = new StateDocumentModel();
  readonly #store: Store<StateSnapshot<T>>;
  readonly #emitter = new Emitter<StateEvents>();
  readonly #subscription: ReturnType<StateLink["subscribe"]>;
  readonly #gap: StateGapWatch;
  readonly #stop: () => void;
  #seen: unknown;
  #subscriptionState: SubscriptionState;
  #revision = -1;
  #nextId = 0;
  #disposed = false;

  constructor(link: StateLink, name: string, options: StateStoreOptions = {}) {
    this.name = name;
    this.#link = link;
    this.#gap = new StateGapWatch(options.gapTimeout ?? DEFAULT_STATE_GAP_TIMEOUT, () =>
      this.reload(),
    );
    this.#store = new Store<StateSnapshot<T>>(initialStateSnapshot<T>(name));
    this.getSnapshot = this.#store.getSnapshot;
    this.subscribe = this.#store.subscribe;
    this.#subscription = link.subscribe(`state:${name}`, {
      onEvent: (event) => this.#event(event),
      onReset: (info) => this.#reset(info),
    });
    const state = this.#subscription.state;
    this.#subscriptionState = state.getSnapshot();
    this.#stop = state.subscribe(() => this.#sync(state.getSnapshot()));
    this.#sync(this.#subscriptionState);
    // An already-live channel's snapshot is as old as its subscription, and the changes since
    // went to the other stores: ask for the current document (merged in whatever order).
    if (this.#subscriptionState.status === "subscribed") this.reload().catch(() => {});
  }

  set<K extends keyof T & string>(
    key: K,
    value: T[K],
    options?: StateWriteOptions,
  ): Promise<StateWriteResult> {
    return this.#write({ kind: "write", set: { [key]: value } }, options);
  }

  delete(key: keyof T & string, options?: StateWriteOptions): Promise<StateWriteResult> {
    return this.#write({ kind: "write", delete: [key] }, options);
  }

  batch(write: StateBatch<T>, options?: StateWriteOptions): Promise<StateWriteResult> {
    const request: StateWriteRequest = {
      kind: "write",
      ...(write.set === undefined ? {} : { set: write.set }),
      ...(write.delete === undefined ? {} : { delete: write.delete }),
    };
    return this.#write(request, options);
  }

  applyPreset(preset: string, options: StateWriteOptions = {}): Promise<StateWriteResult> {
    const { ifVersion, ...call } = options;
    const request: StateWriteRequest = { kind: "preset", preset, ...versioned(ifVersion) };
    const data = { name: this.name, preset, ...versioned(ifVersion) };
    return this.#call("state.preset", data, request, call, undefined);
  }

  undo(options: CallOptions = {}): Promise<StateUndoResult> {
    const request: StateWriteRequest = { kind: "undo" };
    return this.#call("state.undo", { name: this.name }, request, options, undefined);
  }

  async reload(options: CallOptions = {}): Promise<StateDocument> {
    const document = (await this.#link.rpc(
      "state.get",
      { name: this.name },
      options,
    )) as StateDocument;
    if (!this.#disposed) {
      this.#model.applyDocument(document);
      this.#publish();
    }
    return document;
  }

  on<K extends keyof StateEvents>(type: K, listener: StateEvents[K]): () => void {
    return this.#emitter.on(type, listener);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#gap.close();
    this.#stop();
    this.#subscription.unsubscribe();
  }

  #write(request: StateWriteRequest, options: StateWriteOptions = {}): Promise<StateWriteResult> {
    const { ifVersion, ...call } = options;
    const id = ++this.#nextId;
    const withVersion = { ...request, ...versioned(ifVersion) };
    this.#model.addPending({ id, set: request.set ?? {}, delete: request.delete ?? [] });
    this.#publish();
    const data: StateWrite = {
      name: this.name,
      ...(request.set === undefined ? {} : { set: request.set }),
      ...(request.delete === undefined ? {} : { delete: request.delete }),
      ...versioned(ifVersion),
    };
    return this.#call("state.write", data, withVersion, call, id);
  }

  /** Sends one RPC; settles the pending write `id` and reports a refusal. */
  #call<R extends StateWriteResult>(
    method: string,
    data: unknown,
    request: StateWriteRequest,
    options: CallOptions,
    id: number | undefined,
  ): Promise<R> {
    const promise = this.#link.rpc(method, data, options).then(
      (result) => {
        this.#accepted(result as R, id);
        return result as R;
      },
      (cause: unknown) => {
        throw this.#refused(cause, request, id);
      },
    );
    // The refusal is reported by the store: an ignored promise is no unhandled rejection.
    promise.catch(() => {});
    return promise;
  }

  #accepted(result: StateWriteResult, id: number | undefined): void {
    if (this.#disposed) return;
    if (id === undefined) this.#model.applyReply(result);
    else this.#model.settle(id, result);
    const conflicts = (result as Partial<StateUndoResult>).conflicts;
    this.#publish({ error: null, ...(conflicts === undefined ? {} : { conflicts }) });
  }

  #refused(cause: unknown, write: StateWriteRequest, id: number | undefined): SwitchyardError {
    const error =
      cause instanceof SwitchyardError
        ? cause
        : new SwitchyardError("internal_error", String(cause));
    if (this.#disposed) return error;
    if (id !== undefined) this.#model.settle(id);
    if (error.code === "state_conflict") {
      const details = error.details as StateConflictDetails | undefined;
      if (details?.entries) this.#model.applyEntries(details.entries);
      if (typeof details?.version === "number") this.#model.seeVersion(details.version);
    }
    const refusal: StateRefusal = { error, write };
    this.#publish({ error: refusal });
    this.#emitter.emit("refused", refusal);
    return error;
  }

  #event(event: ReceivedEvent): void {
    if (this.#disposed) return;
    if (event.event === "changes") {
      const data = event.data as StateEventData["changes"];
      this.#model.applyChanges(data.changes, data.writes);
    } else if (event.event === "reload") {
      this.#model.applyDocument((event.data as StateEventData["reload"]).document);
    } else {
      return;
    }
    this.#publish();
  }

  /** The missed changes are gone: the reply's snapshot is the document (see applyDocument). */
  #reset(info: ResetInfo): void {
    if (this.#disposed || info.snapshot === undefined) return;
    this.#model.applyDocument(info.snapshot as StateDocument, { reset: true });
    this.#publish();
  }

  #sync(subscription: SubscriptionState): void {
    if (this.#disposed) return;
    this.#subscriptionState = subscription;
    const { snapshot } = subscription;
    if (snapshot !== undefined && snapshot !== this.#seen) {
      this.#seen = snapshot;
      this.#model.applyDocument(snapshot as StateDocument);
    }
    this.#publish();
  }

  /** Publishes a new snapshot when anything shown changed (else keeps the same object). */
  #publish(patch: Partial<Pick<StateSnapshot<T>, "error" | "conflicts">> = {}): void {
    if (this.#disposed) return;
    const current = this.getSnapshot();
    const { status: subscription, error: subscribeError } = this.#subscriptionState;
    const status: StateStatus =
      subscription === "subscribed"
        ? "ready"
        : subscription === "failed"
          ? "error"
          : subscription === "unsubscribed"
            ? current.status
            : this.#model.loaded
              ? "offline"
              : "loading";
    let next: StateSnapshot<T> = current;
    if (this.#model.revision !== this.#revision) {
      this.#revision = this.#model.revision;
      next = {
        ...next,
        version: this.#model.version,
        latestVersion: this.#model.latestVersion,
        values: this.#model.values() as Partial<T>,
        entries: this.#model.entries(),
        pending: this.#model.pendingKeys(),
      };
    }
    if (status !== next.status || subscribeError !== next.subscribeError) {
      next = { ...next, status, subscribeError };
    }
    if (patch.error !== undefined && patch.error !== next.error)
      next = { ...next, error: patch.error };
    if (patch.conflicts !== undefined) next = { ...next, conflicts: patch.conflicts };
    this.#store.set(next);
    // Watched while subscribed; after a renewal the reply's snapshot covers any gap.
    if (status === "ready") this.#gap.update(this.#model.version, this.#model.latestVersion);
    else this.#gap.clear();
  }
}

function versioned(ifVersion: number | undefined): { ifVersion?: number } {
  return ifVersion === undefined ? {} : { ifVersion };
}

/** Follows one state document; see {@link StateStore}. */
export function watchState<T extends StateValues>(
  link: StateLink,
  name: string,
  options?: StateStoreOptions,
): StateStore<T> {
  return new SyncedStateStore<T>(link, name, options);
}
