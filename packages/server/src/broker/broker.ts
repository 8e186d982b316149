import type { StreamPosition } from "@switchyard/protocol";
import type { KeyValueStore } from "./kv.js";
import type { PresenceStore } from "./presence.js";

/** Retention of a channel's history. */
export interface HistoryOptions {
  /** Most events kept. */
  size: number;
  /** Oldest event kept, in milliseconds. */
  ttl: number;
}

/** An event as it moves through the broker. */
export interface BrokerEvent {
  channel: string;
  event: string;
  data: unknown;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** Present on channels with history. */
  offset?: number;
  /** Present on channels with history. */
  epoch?: string;
}

export interface BrokerPublish {
  channel: string;
  event: string;
  data: unknown;
  /** Keep the event in history with this retention; no offset is assigned without it. */
  history?: HistoryOptions;
  /** A second publish with the same key on the same channel within the dedup window is dropped. */
  idempotencyKey?: string;
}

export interface BrokerPublishResult {
  timestamp: number;
  offset?: number;
  epoch?: string;
  /** True when the idempotency key was seen before: nothing was published. */
  duplicate: boolean;
}

export interface RecoverResult extends StreamPosition {
  /** True when `events` holds exactly every event after the requested position. */
  recovered: boolean;
  /** The missed events in offset order (empty when not recovered). */
  events: BrokerEvent[];
}

export interface HistoryQuery {
  /** Return events with an offset greater than this (default: from the oldest kept). */
  after?: number;
  /** Return at most this many events, the newest ones when `after` is absent (default 100). */
  limit?: number;
}

export interface HistoryPage extends StreamPosition {
  events: BrokerEvent[];
}

/** Optional callbacks from a broker to its node, given to {@link Broker.start}. */
export interface BrokerHooks {
  /**
   * This node may have missed events on these channels: its link to the other nodes was down,
   * or a channel's history was lost and the channel restarted in a new epoch. Called once the
   * broker delivers the channels' events again; the node then brings their subscribers up to
   * date (recover from each subscriber's position, or tell it `recovered: false`) instead of
   * leaving a silent gap. A single-process broker never calls it.
   */
  onReset?: (channels: string[]) => void;
}

/**
 * Moves events between hub nodes and keeps history. The hub core talks only to this interface;
 * `memory` is the embedded default and `redis` joins many nodes into one hub. Every
 * implementation passes the contract suite in `@switchyard/server/testing`.
 */
export interface Broker {
  /** Starts the broker; `deliver` receives every event on channels this node subscribed to. */
  start(deliver: (event: BrokerEvent) => void, hooks?: BrokerHooks): Promise<void>;
  /** Publishes an event: assigns its offset (with history), then fans it out to nodes. */
  publish(message: BrokerPublish): Promise<BrokerPublishResult>;
  /** Declares this node's interest in a channel (once per channel, not per client). */
  subscribe(channel: string): Promise<void>;
  /** Drops this node's interest in a channel. */
  unsubscribe(channel: string): Promise<void>;
  /** The channel's current position: its epoch and the offset of its newest event. */
  position(channel: string): Promise<StreamPosition>;
  /** The events after `since`, or `recovered: false` when they are no longer all kept. */
  recover(channel: string, since: StreamPosition): Promise<RecoverResult>;
  /** A page of the channel's history. */
  history(channel: string, query?: HistoryQuery): Promise<HistoryPage>;
  /** True while the broker can publish (false while a backing store is unreachable). */
  ready(): boolean;
  /** Stops the broker and releases its resources. */
  close(): Promise<void>;
  /** Small shared documents with expiry that every node sees (job snapshots, state). */
  readonly kv: KeyValueStore;
  /** Who is present on each channel, across nodes (the presence feature). */
  readonly presence: PresenceStore;
}

/** How long idempotency keys are remembered, in milliseconds. */
export const DEDUP_WINDOW_MS = 120_000;
