import type {
  PresenceConnection,
  PresenceEventData,
  PresencePage,
  PresenceReply,
} from "@switchyard/protocol";
import {
  applyPresenceEvent,
  fromReply,
  initialPresenceState,
  type PresenceState,
  withPage,
} from "./presence-state.js";
import { Emitter, type Readable, Store } from "./store.js";
import type {
  ReceivedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionState,
} from "./subscription.js";

/** What the presence store needs from the client. */
export interface PresenceLink {
  subscribe(channel: string, options: SubscribeOptions): Subscription;
  rpc(method: string, data: unknown): Promise<unknown>;
}

/** Listeners of a {@link Presence} store. */
export interface PresenceEvents {
  /** A connection joined the channel (a user's second tab is a join too). */
  join: (connection: PresenceConnection) => void;
  /** A connection left (an explicit leave at once; a lost one after the hub's grace). */
  leave: (connection: PresenceConnection) => void;
}

/**
 * Who is present on a channel (`client.presence(channel)`): a store of immutable snapshots
 * (React: `useSyncExternalStore`) that subscribes to the channel (or shares the app's
 * subscription to it), starts from the subscribe reply's count and first page, applies the
 * hub's batched `$presence` events, and starts again from the new reply after a reconnect.
 *
 * @example
 * const room = client.presence("room:42");
 * room.subscribe(() => {
 *   const { count, members } = room.getSnapshot();
 *   render(`${count.members} here`, members.map((m) => m.info));
 * });
 * room.on("join", (c) => toast(`${c.userId} joined`));
 */
export interface Presence extends Readable<PresenceState> {
  readonly channel: string;
  /** Listens to joins and leaves; returns the function that stops listening. */
  on<K extends keyof PresenceEvents>(type: K, listener: PresenceEvents[K]): () => void;
  /**
   * Loads the next page of members (RPC `presence.list`), up to `limit` (default 100, at most
   * 1000). Resolves with the new state; nothing to do once `cursor` is null.
   */
  loadMore(limit?: number): Promise<PresenceState>;
  /** Stops following the channel (left once nothing else uses it). */
  dispose(): void;
}

class PresenceStore implements Presence {
  readonly channel: string;
  readonly getSnapshot: () => PresenceState;
  readonly subscribe: (listener: () => void) => () => void;
  readonly #link: PresenceLink;
  readonly #store: Store<PresenceState>;
  readonly #emitter = new Emitter<PresenceEvents>();
  readonly #subscription: Subscription;
  readonly #stop: () => void;
  #seen: PresenceReply | undefined;
  /** Events held back while a first page is fetched. */
  #held: PresenceEventData[] | undefined;
  /** Counts first-page fetches and replies: a page older than the last reply is dropped. */
  #generation = 0;
  #disposed = false;

  constructor(link: PresenceLink, channel: string) {
    this.channel = channel;
    this.#link = link;
    this.#store = new Store(initialPresenceState(channel));
    this.getSnapshot = this.#store.getSnapshot;
    this.subscribe = this.#store.subscribe;
    this.#subscription = link.subscribe(channel, { onEvent: (event) => this.#event(event) });
    const state = this.#subscription.state;
    const first = state.getSnapshot();
    if (first.status === "subscribed") {
      // The app subscribed already: that reply is old and the events since went by.
      this.#seen = first.presence;
      this.#refetch();
    }
    this.#stop = state.subscribe(() => this.#sync(state.getSnapshot()));
    this.#sync(first);
  }

  on<K extends keyof PresenceEvents>(type: K, listener: PresenceEvents[K]): () => void {
    return this.#emitter.on(type, listener);
  }

  async loadMore(limit?: number): Promise<PresenceState> {
    const { cursor } = this.getSnapshot();
    if (cursor === null || this.#disposed) return this.getSnapshot();
    const page = (await this.#link.rpc("presence.list", {
      channel: this.channel,
      cursor,
      ...(limit === undefined ? {} : { limit }),
    })) as PresencePage;
    if (!this.#disposed && this.getSnapshot().cursor === cursor) {
      this.#store.set(withPage(this.getSnapshot(), page));
    }
    return this.getSnapshot();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stop();
    this.#subscription.unsubscribe();
    this.#emitter.clear();
    this.#store.update({ subscription: "unsubscribed" });
  }

  #event(event: ReceivedEvent): void {
    if (event.event !== "$presence" || this.#disposed) return;
    const data = event.data as PresenceEventData;
    if (this.#held) {
      this.#held.push(data);
      return;
    }
    const state = this.getSnapshot();
    if (!state.listed && (data.joined !== undefined || data.left !== undefined)) {
      // Back under the cap: the list is unknown, so fetch it again.
      this.#refetch().push(data);
      return;
    }
    // Callbacks for changes only: a join the subscribe reply already showed is no news.
    const known = new Set(state.members.flatMap((m) => m.clientIds));
    const complete = state.listed && state.cursor === null;
    this.#store.set(applyPresenceEvent(state, data));
    for (const connection of data.left ?? []) {
      if (!complete || known.has(connection.clientId)) this.#emitter.emit("leave", connection);
    }
    for (const connection of data.joined ?? []) {
      if (!known.has(connection.clientId)) this.#emitter.emit("join", connection);
    }
  }

  /** Fetches the first page and applies the events that came meanwhile. */
  #refetch(): PresenceEventData[] {
    const held: PresenceEventData[] = [];
    this.#held = held;
    const generation = ++this.#generation;
    this.#link.rpc("presence.list", { channel: this.channel }).then(
      (page) => {
        if (generation === this.#generation) this.#caughtUp(page as PresencePage);
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#store.update({ error: error instanceof Error ? error : new Error(String(error)) });
        this.#caughtUp(undefined);
      },
    );
    return held;
  }

  #caughtUp(page: PresencePage | undefined): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (this.#disposed) return;
    if (page !== undefined) this.#store.set(fromReply(this.getSnapshot(), page));
    for (const data of held)
      this.#event({ channel: this.channel, event: "$presence", data, timestamp: 0 });
  }

  #sync(subscription: SubscriptionState): void {
    if (this.#disposed) return;
    let next = this.getSnapshot();
    const { presence, status, error } = subscription;
    if (presence !== undefined && presence !== this.#seen) {
      // A new subscribe reply (first, or after a reconnect): start again from it.
      this.#seen = presence;
      this.#held = undefined;
      this.#generation++;
      next = fromReply(next, presence);
    }
    if (status !== next.subscription || (error ?? null) !== next.error) {
      next = { ...next, subscription: status, error: error ?? null };
    }
    this.#store.set(next);
  }
}

/** Follows who is present on one channel; see {@link Presence}. */
export function watchPresence(link: PresenceLink, channel: string): Presence {
  return new PresenceStore(link, channel);
}
