import { type DestinationStream, type Logger, pino } from "pino";

/** Log levels accepted by `--log-level` and the `logLevel` config field. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Creates the server's pino logger: one JSON object per line on stdout (or `destination`),
 * which fits `HubOptions.logger` as it is.
 *
 * @param level - the lowest level written
 * @param destination - where lines go; stdout when absent
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { name: "switchyard", level };
  return destination === undefined ? pino(options) : pino(options, destination);
}
