import type { EventFrame, PresenceReply, StreamPosition } from "@switchyard/protocol";
import { Emitter, type Readable, Store } from "./store.js";

/** An event as handlers receive it. */
export interface ReceivedEvent<E extends string = string, D = unknown> {
  readonly channel: string;
  readonly event: E;
  readonly data: D;
  /** Present on channels with history: consecutive per channel (may skip when conflated). */
  readonly offset?: number;
  /** Milliseconds since the Unix epoch, set by the hub when the event was published. */
  readonly timestamp: number;
}

/**
 * Continuity was lost: the events between the last one delivered and `position` cannot be
 * delivered. Reload the state the events would have updated (a snapshot over HTTP or RPC).
 * - `not_recovered`: after a reconnect (or a detected gap) the server no longer held every
 *   missed event: outside the history window, history lost (new epoch), or a channel
 *   without history.
 * - `gap`: a personal channel skipped offsets on a live link.
 */
export interface ResetInfo {
  readonly channel: string;
  readonly reason: "not_recovered" | "gap";
  /** Where delivery continues from. */
  readonly position: StreamPosition | null;
  /** The channel's current state, when its namespace provides one (see `snapshot` in state). */
  readonly snapshot?: unknown;
}

/**
 * - `subscribing`: waiting for the server (first subscribe, or resubscribing after a
 *   reconnect, a gap or a wider event filter).
 * - `subscribed`: events flow.
 * - `failed`: the server refused (`error` says why); retried on the next reconnect.
 * - `unsubscribed`: `unsubscribe()` was called.
 */
export type SubscriptionStatus = "subscribing" | "subscribed" | "failed" | "unsubscribed";

/** A snapshot of a subscription's state. */
export interface SubscriptionState {
  readonly channel: string;
  readonly status: SubscriptionStatus;
  /** Position of the last event delivered, on channels with history. */
  readonly position: StreamPosition | null;
  /** True when the channel keeps only the latest value (offsets may skip). */
  readonly conflated: boolean;
  /** Why the server refused, when `failed`. */
  readonly error: Error | null;
  /**
   * The channel's state sent with the last subscribe reply, when its namespace provides one
   * (a job's status, a state document). Events after `position` follow and may already be
   * reflected in it.
   */
  readonly snapshot?: unknown;
  /**
   * Who was present when the last subscribe reply left the hub, on channels of a presence
   * namespace (`client.presence(channel)` keeps it up to date).
   */
  readonly presence?: PresenceReply;
}

/** Listeners of a {@link Subscription}. */
export interface SubscriptionEvents<Ev extends ReceivedEvent = ReceivedEvent> {
  /** Every event, in order, exactly once: bursts are never collapsed to the last one. */
  event: (event: Ev) => void;
  /** Continuity was lost: reload the snapshot. */
  reset: (info: ResetInfo) => void;
  /** The server refused the subscription. */
  error: (error: Error) => void;
}

/** Options of `client.subscribe`. */
export interface SubscribeOptions<Ev extends ReceivedEvent = ReceivedEvent> {
  /** Only these events are delivered to this subscription (all when absent). */
  events?: readonly Ev["event"][];
  /** Shorthand for `subscription.on("event", onEvent)`. */
  onEvent?: (event: Ev) => void;
  /** Shorthand for `subscription.on("reset", onReset)`. */
  onReset?: (info: ResetInfo) => void;
  /** Shorthand for `subscription.on("error", onError)`. */
  onError?: (error: Error) => void;
}

/**
 * A subscription to one channel. It survives reconnects: missed events are recovered and
 * delivered in order before new ones, or `reset` fires when they cannot be.
 */
export interface Subscription<Ev extends ReceivedEvent = ReceivedEvent> {
  readonly channel: string;
  /** Status and position, as a store (React: `useSyncExternalStore`). */
  readonly state: Readable<SubscriptionState>;
  /** Listens to events, resets or errors; returns the function that stops listening. */
  on<K extends keyof SubscriptionEvents<Ev>>(
    type: K,
    listener: SubscriptionEvents<Ev>[K],
  ): () => void;
  /** Stops this subscription (the channel is left once no subscription uses it). */
  unsubscribe(): void;
}

/** What an event does to a stream position. */
export type Continuity = "next" | "duplicate" | "gap";

/**
 * Classifies an event against the last position: at or before it is a duplicate; more than
 * one past it is a gap, unless offsets may skip (`continuous` false: conflated or filtered).
 */
export function continuity(
  position: StreamPosition | null,
  offset: number | undefined,
  continuous: boolean,
): Continuity {
  if (position === null || offset === undefined) return "next";
  if (offset <= position.offset) return "duplicate";
  if (continuous && offset > position.offset + 1) return "gap";
  return "next";
}

type Frame = EventFrame;

/** What a channel needs from each subscription to it. */
export interface HandleSink {
  readonly events: ReadonlySet<string> | undefined;
  deliver(frame: Frame): void;
  emitReset(info: ResetInfo): void;
  emitError(error: Error): void;
  unsubscribe(): void;
}

/** One channel the client holds, shared by every {@link Subscription} to it. */
export class ChannelEntry {
  readonly channel: string;
  readonly store: Store<SubscriptionState>;
  readonly handles = new Set<HandleSink>();
  /** `pending`: waiting for a link; `subscribing`: request sent; `live`: events flow. */
  phase: "pending" | "subscribing" | "live" | "failed" = "pending";
  /** Identifies the current subscribe request; older replies are ignored. */
  request = 0;
  /** The event filter sent to the server (all events when undefined). */
  filter: readonly string[] | undefined;
  /** The link dropped since the last successful subscribe. */
  interrupted = false;

  constructor(channel: string) {
    this.channel = channel;
    this.store = new Store<SubscriptionState>({
      channel,
      status: "subscribing",
      position: null,
      conflated: false,
      error: null,
    });
  }

  get position(): StreamPosition | null {
    return this.store.getSnapshot().position;
  }

  /** The server filter that serves every handle: the union of theirs, or none. */
  wantedFilter(): readonly string[] | undefined {
    const names = new Set<string>();
    for (const handle of this.handles) {
      if (!handle.events) return undefined;
      for (const name of handle.events) names.add(name);
    }
    return [...names];
  }

  /** True when the server filter lets through every event a handle wants. */
  covers(wanted: readonly string[] | undefined): boolean {
    if (this.filter === undefined) return true;
    if (wanted === undefined) return false;
    return wanted.every((name) => this.filter?.includes(name));
  }

  /** Delivers an event to every handle that wants it. */
  emit(frame: Frame): void {
    for (const handle of this.handles) handle.deliver(frame);
  }

  emitReset(info: ResetInfo): void {
    for (const handle of this.handles) handle.emitReset(info);
  }

  emitError(error: Error): void {
    for (const handle of this.handles) handle.emitError(error);
  }
}

/** The {@link Subscription} handed to the application. */
export class SubscriptionHandle<Ev extends ReceivedEvent = ReceivedEvent>
  implements Subscription<Ev>, HandleSink
{
  readonly channel: string;
  readonly events: ReadonlySet<string> | undefined;
  readonly #emitter = new Emitter<SubscriptionEvents<Ev>>();
  readonly state: Readable<SubscriptionState>;
  readonly #entry: ChannelEntry;
  readonly #release: (handle: HandleSink) => void;
  readonly #listeners = new Set<() => void>();
  #final: SubscriptionState | undefined;

  constructor(
    entry: ChannelEntry,
    options: SubscribeOptions<Ev>,
    release: (handle: HandleSink) => void,
  ) {
    this.channel = entry.channel;
    this.#entry = entry;
    this.#release = release;
    this.events = options.events ? new Set(options.events) : undefined;
    if (options.onEvent) this.#emitter.on("event", options.onEvent);
    if (options.onReset) this.#emitter.on("reset", options.onReset);
    if (options.onError) this.#emitter.on("error", options.onError);
    this.state = {
      getSnapshot: () => this.#final ?? this.#entry.store.getSnapshot(),
      subscribe: (listener) => {
        const stop = this.#entry.store.subscribe(listener);
        const entry = () => listener();
        this.#listeners.add(entry);
        return () => {
          stop();
          this.#listeners.delete(entry);
        };
      },
    };
  }

  on<K extends keyof SubscriptionEvents<Ev>>(
    type: K,
    listener: SubscriptionEvents<Ev>[K],
  ): () => void {
    return this.#emitter.on(type, listener);
  }

  unsubscribe(): void {
    if (this.#final) return;
    this.#final = { ...this.#entry.store.getSnapshot(), status: "unsubscribed" };
    this.#release(this);
    this.#emitter.clear();
    for (const listener of this.#listeners) listener();
  }

  /** Delivers one event if this subscription wants it. */
  deliver(frame: Frame): void {
    if (this.#final) return;
    if (this.events && !this.events.has(frame.event)) return;
    this.#emitter.emit("event", frame as unknown as Ev);
  }

  emitReset(info: ResetInfo): void {
    if (!this.#final) this.#emitter.emit("reset", info);
  }

  emitError(error: Error): void {
    if (!this.#final) this.#emitter.emit("error", error);
  }
}
