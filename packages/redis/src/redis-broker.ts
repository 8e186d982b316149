import { randomUUID } from "node:crypto";
import { SwitchyardError } from "@switchyard/protocol";
import type {
  Broker,
  BrokerEvent,
  BrokerPublish,
  BrokerPublishResult,
  PresenceStore,
} from "@switchyard/server";
import { checkRetention, DEDUP_WINDOW_MS, rethrowLater } from "@switchyard/server/broker";
import { type ControlChannel, createControlChannel } from "./control.js";
import { encodePayload, parseStamp, publishResult } from "./encoding.js";
import { viaRedis } from "./errors.js";
import { RedisKeys } from "./keys.js";
import { createKeyValueStore, type KeyValueStore } from "./kv-store.js";
import { createNodeStatsStore, type NodeStatsStore } from "./node-stats.js";
import {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_IDLE_TTL,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT,
  DEFAULT_START_TIMEOUT,
  type RedisBrokerOptions,
} from "./options.js";
import { createPresenceStore } from "./presence-store.js";
import { RedisLink } from "./redis-link.js";
import { PUBLISH, TOUCH } from "./scripts.js";
import { createEpoch, StreamReader } from "./stream-reader.js";
import { Subscriptions } from "./subscriptions.js";

/** The hooks `start` accepts (`onReset`), as the `Broker` interface declares them. */
type StartHooks = NonNullable<Parameters<Broker["start"]>[1]>;

/** A broker that joins hub nodes through Redis, with the cluster-wide primitives it offers. */
export interface RedisBroker extends Broker {
  /** This node's id (`nodeId` option or a random one). */
  readonly nodeId: string;
  /** Who is present on each channel, across nodes (for the presence feature). */
  readonly presence: PresenceStore;
  /** Every node's stats, for a cluster-wide `/stats`. */
  readonly nodeStats: NodeStatsStore;
  /** Node-to-node control messages (e.g. "disconnect user X on every node"). */
  readonly control: ControlChannel;
  /** Small shared documents with expiry that every node sees (job snapshots, state). */
  readonly kv: KeyValueStore;
}

/**
 * The cluster broker: every hub node of a cluster uses the same Redis, and the nodes become
 * one hub. Events travel between nodes over Redis pub/sub (one Redis subscription per channel
 * per node); history lives in a Redis stream per channel, with offsets assigned atomically by
 * a Lua script that also trims and publishes, so the order of delivery is the order of the
 * offsets; idempotency keys are shared by all nodes.
 *
 * When Redis is unreachable, `ready()` is false and publishes and reads fail with a
 * `SwitchyardError`; the broker reconnects with backoff, resubscribes, and reports through
 * the `onReset` hook the channels whose events this node may have missed, so the hub can
 * recover its clients (exact replay, or `recovered: false` when Redis lost the history).
 *
 * @example
 * const broker = createRedisBroker({ url: "redis://localhost:6379" });
 * const hub = createHub({ broker, namespaces: { chat: { history: { size: 500 } } } });
 */
export function createRedisBroker(options: RedisBrokerOptions): RedisBroker {
  const nodeId = options.nodeId ?? randomUUID();
  const idleTtl = Math.ceil(options.idleTtl ?? DEFAULT_IDLE_TTL);
  const dedupWindow = Math.ceil(options.dedupWindow ?? DEDUP_WINDOW_MS);
  const logger = options.logger ?? { debug() {}, info() {}, warn() {}, error() {} };
  const onError = options.onError ?? rethrowLater;
  const keys = new RedisKeys(options.prefix ?? DEFAULT_PREFIX);
  let deliver: ((event: BrokerEvent) => void) | undefined;
  let hooks: StartHooks = {};
  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // Channels that had a delivery since the last keep-alive round (their keys are fresh).
  const active = new Set<string>();

  const link = new RedisLink({
    url: options.url,
    connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    startTimeout: options.startTimeout ?? DEFAULT_START_TIMEOUT,
    reconnect: {
      initialDelay: options.reconnect?.initialDelay ?? DEFAULT_RECONNECT.initialDelay,
      maxDelay: options.reconnect?.maxDelay ?? DEFAULT_RECONNECT.maxDelay,
    },
    durable: options.durableRedis ?? false,
    logger,
    onReadyChange: () => readyChanged(),
    onSubscriberRestored: () => {
      subscriptions.restore().catch((error: unknown) => {
        logger.warn({ err: error }, "resubscribing after a Redis reconnect failed");
      });
    },
  });
  const reader = new StreamReader(link, keys, idleTtl);
  const logError = (error: unknown) => logger.error({ err: error }, "Redis broker message error");
  const control = createControlChannel(link, keys, nodeId, logError);

  const subscriptions = new Subscriptions(link.subscriber, keys, {
    deliver(event) {
      active.add(event.channel);
      if (deliver === undefined) return;
      try {
        deliver(event);
      } catch (error) {
        onError(error, event);
      }
    },
    reset(channels) {
      logger.info({ channels: channels.length }, "channels reset: events may have been missed");
      // Reported once the node can serve again: subscribers told to reconnect while it is
      // not ready would only be refused.
      for (const channel of channels) unreportedResets.add(channel);
      reportResets();
    },
    error: logError,
  });

  let wasReady = false;
  const unreportedResets = new Set<string>();
  function isReady(): boolean {
    return started && !closed && link.ready();
  }
  function reportResets(): void {
    if (unreportedResets.size === 0 || !isReady()) return;
    const channels = [...unreportedResets];
    unreportedResets.clear();
    hooks.onReset?.(channels);
  }
  function readyChanged(): void {
    const ready = isReady();
    if (ready === wasReady) return;
    wasReady = ready;
    options.onReadyChange?.(ready);
    reportResets();
  }

  function assertOpen(): void {
    if (closed) throw new SwitchyardError("internal_error", "broker closed");
    if (!started) throw new SwitchyardError("internal_error", "broker not started");
  }

  /** Keeps a channel's keys alive; failures only shorten an idle channel's life. */
  function touch(channel: string): void {
    link
      .run(TOUCH, [keys.meta(channel), keys.stream(channel)], [String(idleTtl)])
      .catch((error: unknown) => logger.debug({ err: error, channel }, "touch failed"));
  }

  /** A subscribed channel is never idle: refresh the keys of those without recent events. */
  function keepAlive(): void {
    if (!link.ready()) return;
    for (const channel of subscriptions.channels()) {
      if (!active.has(channel)) touch(channel);
    }
    active.clear();
  }

  return {
    nodeId,
    presence: createPresenceStore(link, keys),
    nodeStats: createNodeStatsStore(link, keys),
    control,
    kv: createKeyValueStore(link, keys),

    async start(onEvent, startHooks = {}) {
      if (closed) throw new SwitchyardError("internal_error", "broker closed");
      if (started) throw new SwitchyardError("internal_error", "broker already started");
      await viaRedis(async () => {
        await link.open();
        await link.subscriber.subscribe(keys.control(), control.listener, true);
      }).catch((error: unknown) => {
        throw closed ? new SwitchyardError("internal_error", "broker closed") : error;
      });
      if (closed) throw new SwitchyardError("internal_error", "broker closed");
      deliver = onEvent;
      hooks = startHooks;
      started = true;
      timer = setInterval(keepAlive, Math.max(100, Math.floor(idleTtl / 3)));
      timer.unref();
      readyChanged();
    },

    async publish(message: BrokerPublish): Promise<BrokerPublishResult> {
      assertOpen();
      const { channel, history, idempotencyKey } = message;
      if (history !== undefined) checkRetention(history);
      const scriptKeys = [keys.meta(channel), keys.stream(channel)];
      if (idempotencyKey !== undefined) scriptKeys.push(keys.idempotency(channel, idempotencyKey));
      const [duplicate, stamp] = await viaRedis(() =>
        link.run<[number, Buffer]>(PUBLISH, scriptKeys, [
          keys.events(channel),
          encodePayload(message.event, message.data),
          history === undefined ? "0" : "1",
          String(history?.size ?? 0),
          String(Math.ceil(history?.ttl ?? 0)),
          createEpoch(),
          String(idleTtl),
          String(dedupWindow),
          link.boot,
        ]),
      );
      return publishResult(parseStamp(stamp.toString()), duplicate === 1);
    },

    async subscribe(channel) {
      assertOpen();
      await viaRedis(() => subscriptions.subscribe(channel));
      touch(channel);
    },

    async unsubscribe(channel) {
      assertOpen();
      // Touch first: an idle channel's lifetime restarts instead of ending now.
      touch(channel);
      await subscriptions.unsubscribe(channel);
    },

    async position(channel) {
      assertOpen();
      return viaRedis(() => reader.position(channel));
    },

    async recover(channel, since) {
      assertOpen();
      return viaRedis(() => reader.recover(channel, since));
    },

    async history(channel, query) {
      assertOpen();
      return viaRedis(() => reader.history(channel, query));
    },

    ready: isReady,

    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      deliver = undefined;
      subscriptions.clear();
      readyChanged();
      await link.close();
    },
  };
}
