import { type StreamPosition, SwitchyardError } from "@switchyard/protocol";
import type {
  Broker,
  BrokerEvent,
  BrokerPublish,
  BrokerPublishResult,
  HistoryPage,
  HistoryQuery,
  RecoverResult,
} from "./broker.js";
import { DEDUP_WINDOW_MS } from "./broker.js";
import { checkRetention, rethrowLater } from "./broker-checks.js";
import { DedupCache, dedupKey } from "./dedup.js";
import { MemoryKeyValueStore } from "./kv.js";
import { MemoryPresenceStore } from "./memory-presence.js";
import { createEpoch, Stream } from "./stream.js";

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions {
  /**
   * Milliseconds between sweeps that drop expired events, idle streams and expired
   * idempotency keys. Reads and publishes also trim lazily, so this only bounds memory.
   * @default 10_000
   */
  sweepInterval?: number;
  /**
   * Milliseconds without events and without activity after which a stream that never had a
   * publish with history is forgotten. Streams with history use their retention's `ttl`.
   * @default 120_000
   */
  idleTtl?: number;
  /**
   * How long idempotency keys are remembered, in milliseconds.
   * @default DEDUP_WINDOW_MS (120_000)
   */
  dedupWindow?: number;
  /**
   * Most idempotency keys remembered at once; past it the oldest is forgotten first.
   * @default 100_000
   */
  maxIdempotencyKeys?: number;
  /**
   * The clock, in milliseconds since the Unix epoch (event timestamps and every age).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Called when the `deliver` callback given to `start` throws. The publish still succeeds
   * and later events are still delivered.
   * @default rethrows the error asynchronously (an uncaught exception)
   */
  onError?: (error: unknown, event: BrokerEvent) => void;
}

/** What a memory broker holds right now. */
export interface MemoryBrokerStats {
  /** Channels with a stream (an epoch and an offset). */
  streams: number;
  /** Events kept in history across all streams. */
  events: number;
  /** Idempotency keys remembered. */
  idempotencyKeys: number;
}

/** The embedded single-node broker, with a view of what it holds. */
export interface MemoryBroker extends Broker {
  /** Counts of what the broker holds (for metrics and the inspector). */
  stats(): MemoryBrokerStats;
  /** Shared documents with expiry (job snapshots, state), kept in this process. */
  readonly kv: MemoryKeyValueStore;
  /** Who is present on each channel, kept in this process. */
  readonly presence: MemoryPresenceStore;
}

const DEFAULT_SWEEP_INTERVAL = 10_000;
const DEFAULT_IDLE_TTL = 120_000;
const DEFAULT_HISTORY_LIMIT = 100;

/**
 * The embedded broker: one node, everything in this process. Events are delivered to the
 * node synchronously inside `publish`, once per event whatever the number of clients (the hub
 * fans out). Delivered and kept events are shared objects: treat them as read-only, and do not
 * mutate `data` after publishing it.
 *
 * Streams are created on first use and forgotten once they had no event and no activity for
 * their retention's `ttl` (while this node is not subscribed), so memory stays bounded however
 * many channels come and go. A forgotten stream comes back with a new epoch, so a client
 * holding an old position gets `recovered: false` instead of wrong events.
 *
 * @example
 * const broker = createMemoryBroker();
 * await broker.start((event) => console.log(event.channel, event.offset));
 * await broker.subscribe("job:7f3a");
 * await broker.publish({
 *   channel: "job:7f3a",
 *   event: "progress",
 *   data: { percent: 40 },
 *   history: { size: 1000, ttl: 120_000 },
 * });
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const now = options.now ?? Date.now;
  const idleTtl = options.idleTtl ?? DEFAULT_IDLE_TTL;
  const sweepInterval = options.sweepInterval ?? DEFAULT_SWEEP_INTERVAL;
  const onError = options.onError ?? rethrowLater;
  const dedup = new DedupCache<BrokerPublishResult>({
    window: options.dedupWindow ?? DEDUP_WINDOW_MS,
    maxEntries: options.maxIdempotencyKeys,
    now,
  });
  const streams = new Map<string, Stream>();
  // The epoch of streams created from now on: one string shared by all of them, changed
  // once a stream was forgotten, so a forgotten channel's next stream never reuses the epoch
  // of its earlier life. (One per stream would cost every idle session a string.)
  let epoch = createEpoch();
  let forgotten = false;
  const kv = new MemoryKeyValueStore(now);
  const presence = new MemoryPresenceStore(now);
  const subscriptions = new Set<string>();
  let deliver: ((event: BrokerEvent) => void) | undefined;
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  // Events published from inside `deliver` wait here, so the node always sees a channel's
  // events one after another in offset order, never nested.
  const pending: BrokerEvent[] = [];
  let dispatching = false;

  function assertOpen(): void {
    if (closed) throw new SwitchyardError("internal_error", "broker closed");
    if (!started) throw new SwitchyardError("internal_error", "broker not started");
  }

  /** The channel's stream if it exists, forgetting it first when it went idle. */
  function existingStream(channel: string, at: number): Stream | undefined {
    const stream = streams.get(channel);
    if (stream === undefined || subscriptions.has(channel) || !stream.idle(at, idleTtl)) {
      return stream;
    }
    forget(channel);
    return undefined;
  }

  function forget(channel: string): void {
    streams.delete(channel);
    forgotten = true;
  }

  /** The channel's stream, created (with a new epoch) when it does not exist. */
  function streamOf(channel: string, at: number): Stream {
    let stream = existingStream(channel, at);
    if (stream === undefined) {
      if (forgotten) {
        epoch = createEpoch();
        forgotten = false;
      }
      stream = new Stream(at, epoch);
      streams.set(channel, stream);
    }
    return stream;
  }

  /** The channel's stream for a read: created if needed, trimmed, marked active. */
  function readStream(channel: string): Stream {
    const at = now();
    const stream = streamOf(channel, at);
    stream.trim(at);
    stream.touch(at);
    return stream;
  }

  function dispatch(event: BrokerEvent): void {
    pending.push(event);
    if (dispatching) return;
    dispatching = true;
    try {
      for (let i = 0; i < pending.length; i++) {
        const next = pending[i] as BrokerEvent;
        if (deliver === undefined || !subscriptions.has(next.channel)) continue;
        try {
          deliver(next);
        } catch (error) {
          onError(error, next);
        }
      }
    } finally {
      pending.length = 0;
      dispatching = false;
    }
  }

  function sweep(): void {
    const at = now();
    for (const [channel, stream] of streams) {
      if (!subscriptions.has(channel) && stream.idle(at, idleTtl)) forget(channel);
      else stream.trim(at);
    }
    dedup.sweep();
    kv.sweep();
  }

  return {
    async start(onEvent) {
      if (closed) throw new SwitchyardError("internal_error", "broker closed");
      if (started) throw new SwitchyardError("internal_error", "broker already started");
      started = true;
      deliver = onEvent;
      timer = setInterval(sweep, sweepInterval);
      timer.unref();
    },

    async publish(message: BrokerPublish): Promise<BrokerPublishResult> {
      assertOpen();
      const { channel, history, idempotencyKey } = message;
      const key = idempotencyKey === undefined ? undefined : dedupKey(channel, idempotencyKey);
      if (key !== undefined) {
        const first = dedup.get(key);
        if (first !== undefined) return { ...first, duplicate: true };
      }
      const timestamp = now();
      let event: BrokerEvent;
      let result: BrokerPublishResult;
      if (history === undefined) {
        event = { channel, event: message.event, data: message.data, timestamp };
        result = { timestamp, duplicate: false };
      } else {
        checkRetention(history);
        const stream = streamOf(channel, timestamp);
        event = stream.append(channel, message.event, message.data, timestamp, history);
        result = { timestamp, offset: stream.offset, epoch: stream.epoch, duplicate: false };
      }
      if (key !== undefined) dedup.remember(key, { ...result });
      if (subscriptions.has(channel)) dispatch(event);
      return result;
    },

    async subscribe(channel) {
      assertOpen();
      subscriptions.add(channel);
      const at = now();
      existingStream(channel, at)?.touch(at);
    },

    async unsubscribe(channel) {
      assertOpen();
      const at = now();
      // Touch while still subscribed: an idle stream's lifetime restarts instead of ending now.
      streams.get(channel)?.touch(at);
      subscriptions.delete(channel);
    },

    async position(channel): Promise<StreamPosition> {
      assertOpen();
      return readStream(channel).position();
    },

    async recover(channel, since): Promise<RecoverResult> {
      assertOpen();
      const stream = readStream(channel);
      const recoverable =
        since.epoch === stream.epoch &&
        Number.isInteger(since.offset) &&
        since.offset <= stream.offset &&
        since.offset >= stream.oldestOffset - 1;
      return {
        ...stream.position(),
        recovered: recoverable,
        events: recoverable ? stream.after(since.offset, stream.size) : [],
      };
    },

    async history(channel, query: HistoryQuery = {}): Promise<HistoryPage> {
      assertOpen();
      const stream = readStream(channel);
      const limit = query.limit ?? DEFAULT_HISTORY_LIMIT;
      const events =
        query.after === undefined ? stream.newest(limit) : stream.after(query.after, limit);
      return { ...stream.position(), events };
    },

    ready() {
      return started && !closed;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      deliver = undefined;
      subscriptions.clear();
      streams.clear();
      dedup.clear();
    },

    kv,
    presence,
    stats() {
      let events = 0;
      for (const stream of streams.values()) events += stream.size;
      return { streams: streams.size, events, idempotencyKeys: dedup.size };
    },
  };
}
