import { SwitchyardError } from "@switchyard/protocol";
import type { HistoryOptions } from "./broker.js";

/** Throws unless `history` has a non-negative integer size and a non-negative ttl. */
export function checkRetention(history: HistoryOptions): void {
  const { size, ttl } = history;
  if (!Number.isInteger(size) || size < 0 || !Number.isFinite(ttl) || ttl < 0) {
    throw new SwitchyardError(
      "internal_error",
      "history needs a non-negative integer size and a non-negative ttl",
      { size, ttl },
    );
  }
}

/**
 * The default `onError` of brokers: an error thrown by the node's `deliver` callback surfaces
 * as an uncaught exception, after the publish that caused it has completed.
 */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
