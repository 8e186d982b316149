import {
  type ConnectResult,
  type EventFrame,
  isPersonalChannel,
  isValidChannel,
  PERSONAL,
  type StreamPosition,
  type SubscribeFrame,
  type SubscribeResult,
  SwitchyardError,
} from "@switchyard/protocol";
import { ClientError } from "./errors.js";
import type { Requests } from "./requests.js";
import { Emitter } from "./store.js";
import {
  ChannelEntry,
  continuity,
  type HandleSink,
  type ReceivedEvent,
  type ResetInfo,
  type SubscribeOptions,
  SubscriptionHandle,
} from "./subscription.js";

/** Listeners of the personal channels (`$client:`, `$session:`, `$user:`, `$broadcast`). */
export interface PersonalEvents {
  /** An event sent to this client, its session, its user, or everyone. */
  event: (event: ReceivedEvent) => void;
  /** Events of a personal channel were lost (not recovered after a reconnect, or a gap). */
  reset: (info: ResetInfo) => void;
}

/**
 * Personal channels whose position is sent in `connect.since`; `$client:` is new on every
 * link. `$broadcast` is recovered too, so a broadcast missed during a short cut is not lost.
 */
const RECOVERABLE = [PERSONAL.session, PERSONAL.user, PERSONAL.broadcast];

/**
 * The channels the client holds across links: subscribes them on every new link with the
 * last position, drops duplicate events, resubscribes on a gap, reports `reset` when missed
 * events are gone. Also tracks the personal channels joined on connect.
 */
export class Subscriptions {
  /** Events of the personal channels. */
  readonly personal = new Emitter<PersonalEvents>();
  readonly #requests: Requests;
  readonly #live: () => boolean;
  readonly #entries = new Map<string, ChannelEntry>();
  #personal = new Map<string, StreamPosition | null>();
  #sentSince: Record<string, StreamPosition> | undefined;

  constructor(requests: Requests, live: () => boolean) {
    this.#requests = requests;
    this.#live = live;
  }

  /** Adds a subscription to `channel`; the channel is subscribed on the server once. */
  add<Ev extends ReceivedEvent>(
    channel: string,
    options: SubscribeOptions<Ev>,
  ): SubscriptionHandle<Ev> {
    if (!isValidChannel(channel) || isPersonalChannel(channel)) {
      throw new SwitchyardError(
        "invalid_channel",
        isValidChannel(channel)
          ? `'${channel}' is a personal channel: listen with client.personal.on("event", ...)`
          : `'${String(channel).slice(0, 64)}' is not a valid channel name`,
      );
    }
    let entry = this.#entries.get(channel);
    const created = entry === undefined;
    entry ??= new ChannelEntry(channel);
    this.#entries.set(channel, entry);
    const handle = new SubscriptionHandle<Ev>(entry, options, (gone) => this.#release(entry, gone));
    entry.handles.add(handle);
    const wanted = entry.wantedFilter();
    if (created) {
      entry.filter = wanted;
      if (this.#live()) this.#subscribe(entry);
    } else if (!entry.covers(wanted) || entry.phase === "failed") {
      // A wider filter (or a retry after a refusal): subscribing again replaces the server's
      // subscription, recovering from the last position.
      entry.filter = wanted;
      if (entry.phase !== "pending" && this.#live()) this.#subscribe(entry);
    }
    return handle;
  }

  /** Personal channel positions to recover on the next link (`connect.since`). */
  since(): Record<string, StreamPosition> | undefined {
    let since: Record<string, StreamPosition> | undefined;
    for (const [channel, position] of this.#personal) {
      if (position && RECOVERABLE.some((prefix) => channel.startsWith(prefix))) {
        since ??= {};
        since[channel] = position;
      }
    }
    this.#sentSince = since;
    return since;
  }

  /** A new link: take the personal channels' positions and subscribe every channel. */
  opened(info: ConnectResult): void {
    const personal = new Map<string, StreamPosition | null>();
    for (const [channel, joined] of Object.entries(info.channels ?? {})) {
      const before = this.#sentSince?.[channel];
      const recovered = before !== undefined && joined.recovered === true;
      const position = recovered
        ? before
        : joined.epoch !== undefined
          ? { epoch: joined.epoch, offset: joined.offset ?? 0 }
          : null;
      personal.set(channel, position);
      if (before !== undefined && !recovered) {
        this.personal.emit("reset", { channel, reason: "not_recovered", position });
      }
    }
    this.#personal = personal;
    this.#sentSince = undefined;
    for (const entry of this.#entries.values()) this.#subscribe(entry);
  }

  /** The link dropped: every channel waits for the next one. */
  lost(): void {
    for (const entry of this.#entries.values()) {
      entry.request++;
      entry.phase = "pending";
      entry.interrupted = true;
      if (entry.store.getSnapshot().status !== "subscribing") {
        entry.store.update({ status: "subscribing" });
      }
    }
  }

  /** Routes an event frame to its channel. */
  event(frame: EventFrame): void {
    const entry = this.#entries.get(frame.channel);
    if (entry) {
      this.#deliver(entry, frame);
    } else if (this.#personal.has(frame.channel)) {
      this.#personalEvent(frame);
    }
  }

  /** The client is closed: every subscription ends. */
  close(): void {
    for (const entry of this.#entries.values()) {
      entry.request++;
      for (const handle of [...entry.handles]) handle.unsubscribe();
    }
    this.#entries.clear();
    this.personal.clear();
  }

  #subscribe(entry: ChannelEntry): void {
    const request = ++entry.request;
    const since = entry.position ?? undefined;
    entry.phase = "subscribing";
    if (entry.store.getSnapshot().status !== "subscribing") {
      entry.store.update({ status: "subscribing" });
    }
    const frame: Omit<SubscribeFrame, "id"> = { type: "subscribe", channel: entry.channel };
    if (since) frame.since = since;
    if (entry.filter) frame.events = [...entry.filter];
    this.#requests.request(frame, { lane: "control" }, (error, result) => {
      if (entry.request !== request) return;
      if (error === undefined) {
        this.#subscribed(entry, result as SubscribeResult, since);
        return;
      }
      // A lost link is handled by `lost`; the next link subscribes again.
      if (error instanceof ClientError && error.code === "connection_lost") return;
      entry.phase = "failed";
      const cause = error instanceof Error ? error : new Error(String(error));
      entry.store.update({ status: "failed", error: cause });
      entry.emitError(cause);
    });
  }

  #subscribed(entry: ChannelEntry, result: SubscribeResult, since: StreamPosition | undefined) {
    const recovered = since !== undefined && result.recovered === true;
    const position = recovered
      ? since
      : result.epoch !== undefined
        ? { epoch: result.epoch, offset: result.offset ?? 0 }
        : null;
    // Missed events are gone when recovery failed, or when a channel without history was cut off.
    const reset = since !== undefined ? !recovered : entry.interrupted;
    entry.interrupted = false;
    entry.phase = "live";
    const { snapshot, presence } = result;
    entry.store.update({
      status: "subscribed",
      position,
      conflated: result.conflated === true,
      error: null,
      snapshot,
      presence,
    });
    if (reset) {
      entry.emitReset({
        channel: entry.channel,
        reason: "not_recovered",
        position,
        ...(snapshot === undefined ? {} : { snapshot }),
      });
    }
  }

  #deliver(entry: ChannelEntry, frame: EventFrame): void {
    // Before the reply only events of a replaced subscription arrive: they precede the
    // position the reply gives (recovery replays them after it), so they are dropped.
    if (entry.phase !== "live") return;
    const snapshot = entry.store.getSnapshot();
    const continuous = !snapshot.conflated && entry.filter === undefined;
    const verdict = continuity(snapshot.position, frame.offset, continuous);
    if (verdict === "duplicate") return;
    if (verdict === "gap") {
      // Continuity lost on a live link: subscribe again from the last position.
      this.#subscribe(entry);
      return;
    }
    if (snapshot.position && frame.offset !== undefined) {
      entry.store.update({ position: { epoch: snapshot.position.epoch, offset: frame.offset } });
    }
    entry.emit(frame);
  }

  #personalEvent(frame: EventFrame): void {
    const position = this.#personal.get(frame.channel) ?? null;
    const verdict = continuity(position, frame.offset, true);
    if (verdict === "duplicate") return;
    if (position && frame.offset !== undefined) {
      const next = { epoch: position.epoch, offset: frame.offset };
      this.#personal.set(frame.channel, next);
      if (verdict === "gap") {
        this.personal.emit("reset", {
          channel: frame.channel,
          reason: "gap",
          position: { epoch: position.epoch, offset: frame.offset - 1 },
        });
      }
    }
    this.personal.emit("event", frame);
  }

  #release(entry: ChannelEntry, handle: HandleSink): void {
    if (this.#entries.get(entry.channel) !== entry) return;
    entry.handles.delete(handle);
    if (entry.handles.size > 0) return;
    this.#entries.delete(entry.channel);
    entry.request++;
    entry.store.update({ status: "unsubscribed" });
    if (entry.phase !== "pending" && this.#live()) {
      this.#requests
        .call({ type: "unsubscribe", channel: entry.channel }, { lane: "control" })
        .catch(
          () => {}, // Not subscribed any more, or the link dropped: either way the channel is left.
        );
    }
  }
}
