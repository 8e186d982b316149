/**
 * `@switchyard/redis`: the Redis broker that joins many Switchyard hub nodes into one hub.
 *
 * @example
 * import { createHub } from "@switchyard/server";
 * import { createRedisBroker } from "@switchyard/redis";
 *
 * const hub = createHub({ broker: createRedisBroker({ url: "redis://localhost:6379" }) });
 */
export type { ControlChannel, ControlMessage } from "./control.js";
export type { KeyValueStore } from "./kv-store.js";
export {
  DEFAULT_NODE_STATS_TTL,
  type NodeStatsEntry,
  type NodeStatsStore,
} from "./node-stats.js";
export {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_IDLE_TTL,
  DEFAULT_PREFIX,
  DEFAULT_RECONNECT,
  DEFAULT_START_TIMEOUT,
  type RedisBrokerOptions,
} from "./options.js";
export { createRedisBroker, type RedisBroker } from "./redis-broker.js";
