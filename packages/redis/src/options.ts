import type { BrokerEvent, Logger } from "@switchyard/server";

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions {
  /**
   * Where Redis is: `redis[s]://[[user][:password]@]host[:port][/db]`. Every hub node of one
   * cluster uses the same Redis and the same `prefix`.
   */
  url: string;
  /**
   * Prefix of every key and pub/sub channel this broker uses, so several clusters (or tests)
   * can share one Redis.
   * @default "switchyard"
   */
  prefix?: string;
  /**
   * This node's id in the cluster: the `from` of its control messages and the name a
   * supervisor may write its stats under.
   * @default a random id
   */
  nodeId?: string;
  /**
   * Milliseconds after which a channel's keys (epoch, offset, history) expire when nothing
   * published, read or subscribed to it; channels with history keep them for at least their
   * retention's `ttl`. A channel that expired starts again in a new epoch.
   * @default 120_000
   */
  idleTtl?: number;
  /**
   * How long idempotency keys are remembered, cluster-wide, in milliseconds.
   * @default DEDUP_WINDOW_MS (120_000)
   */
  dedupWindow?: number;
  /**
   * How long `start` keeps trying to reach Redis before it rejects, in milliseconds.
   * @default 10_000
   */
  startTimeout?: number;
  /**
   * Timeout of one connection attempt, in milliseconds.
   * @default 5_000
   */
  connectTimeout?: number;
  /**
   * Backoff between reconnection attempts: full jitter, from `initialDelay` doubling up to
   * `maxDelay` milliseconds.
   * @default { initialDelay: 100, maxDelay: 5_000 }
   */
  reconnect?: { initialDelay?: number; maxDelay?: number };
  /**
   * Set when Redis writes every command to disk before answering (`appendonly yes`,
   * `appendfsync always`) and is never failed over to a replica that may lag: channel history
   * then survives a Redis restart and clients recover across it. When false, a channel whose
   * keys were written by an earlier Redis server process starts a new epoch (clients get
   * `recovered: false`), because a restored snapshot or a promoted replica may lack the newest
   * events and would hand their offsets to other events.
   * @default false
   */
  durableRedis?: boolean;
  /**
   * Where connection losses, reconnections and undecodable messages are logged.
   * @default no logging
   */
  logger?: Logger;
  /**
   * Called when the `deliver` callback given to `start` throws. Later events are still
   * delivered.
   * @default rethrows the error asynchronously (an uncaught exception)
   */
  onError?: (error: unknown, event: BrokerEvent) => void;
  /**
   * Called each time `ready()` changes: false when Redis becomes unreachable, true when both
   * connections are back (for logs, metrics and readiness probes).
   * @default none
   */
  onReadyChange?: (ready: boolean) => void;
}

/** Default {@link RedisBrokerOptions.prefix}. */
export const DEFAULT_PREFIX = "switchyard";
/** Default {@link RedisBrokerOptions.idleTtl}. */
export const DEFAULT_IDLE_TTL = 120_000;
/** Default {@link RedisBrokerOptions.startTimeout}. */
export const DEFAULT_START_TIMEOUT = 10_000;
/** Default {@link RedisBrokerOptions.connectTimeout}. */
export const DEFAULT_CONNECT_TIMEOUT = 5_000;
/** Default {@link RedisBrokerOptions.reconnect}. */
export const DEFAULT_RECONNECT = { initialDelay: 100, maxDelay: 5_000 } as const;
