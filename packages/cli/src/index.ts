export {
  type ClusterNode,
  createClusterBroker,
  DISCONNECT_REPLY_TIMEOUT,
  defaultNodeId,
  type JoinClusterOptions,
  joinCluster,
} from "./cluster.js";
export {
  type ClusterStats,
  NODE_STATS_PERIOD,
  type NodeStats,
  sumStats,
} from "./cluster-stats.js";
export {
  ConfigError,
  type ConfigInput,
  type ConfigIssue,
  configFileSchema,
  DEFAULT_HOST,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_PORT,
  defaultNamespaceFor,
  type InspectorLink,
  loadConfigFile,
  type RedisConfig,
  resolveConfig,
  type ServerConfig,
  validateConfig,
} from "./config.js";
export { createLogger, LOG_LEVELS, type LogLevel } from "./logger.js";
export { EXIT_FAILURE, EXIT_USAGE, FORCE_EXIT_MS, main } from "./main.js";
export { createMetrics, type Metrics } from "./metrics.js";
export { type ServerHandle, type StartServerOptions, startServer, WS_PATH } from "./serve.js";
