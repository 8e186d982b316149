/**
 * `@switchyard/server/broker`: what a broker implementation needs beside the `Broker`
 * interface (exported by the main entry): the dedup window every broker keeps, the checks
 * they share, and the member key presence stores group and order connections by.
 * `@switchyard/redis` is built on it.
 */
export { DEDUP_WINDOW_MS } from "./broker.js";
export { checkRetention, rethrowLater } from "./broker-checks.js";
export { memberKey } from "./presence.js";
