export {
  ConfigError,
  type ConfigInput,
  type ConfigIssue,
  configFileSchema,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultNamespaceFor,
  loadConfigFile,
  resolveConfig,
  type ServerConfig,
  validateConfig,
} from "./config.js";
export { createLogger, LOG_LEVELS, type LogLevel } from "./logger.js";
export { EXIT_FAILURE, EXIT_USAGE, FORCE_EXIT_MS, main } from "./main.js";
export { createMetrics, type Metrics } from "./metrics.js";
export { type ServerHandle, type StartServerOptions, startServer, WS_PATH } from "./serve.js";
