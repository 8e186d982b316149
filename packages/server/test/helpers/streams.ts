import type { RawClient } from "./fixtures.js";

/** The offsets of the events a client received on `channel`, in arrival order. */
export function offsetsOf(client: RawClient, channel: string): number[] {
  return client.events(channel).map((frame) => frame.offset as number);
}

/** `count` consecutive integers starting at `first`. */
export function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

/** Resolves once the client holds an event on `channel` with at least offset `offset`. */
export function untilOffset(client: RawClient, channel: string, offset: number): Promise<unknown> {
  return client.next(
    (frame) =>
      frame.type === "event" && frame.channel === channel && (frame.offset as number) >= offset,
  );
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks ran. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves once `condition` holds, checked every few milliseconds: for state that has no event
 * to wait for (counters in `hub.stats()`). Rejects after `timeout` ms naming `what`.
 */
export async function until(condition: () => boolean, what: string, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
