/**
 * `@switchyard/server/broker`: what a broker implementation needs beside the `Broker`
 * interface (exported by the main entry): the dedup window every broker keeps, and the checks
 * they share. `@switchyard/redis` is built on it.
 */
export { DEDUP_WINDOW_MS } from "./broker.js";
export { checkRetention, rethrowLater } from "./broker-checks.js";
