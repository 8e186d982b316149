import type { HubTarget } from "./hub-target.js";

/** What a polled read does with each outcome. */
export interface PollHandlers<T> {
  /** Milliseconds between two reads. */
  readonly interval: number;
  /** The path to read on the selected hub (`api/channels`), or undefined: nothing to read. */
  path(): string | undefined;
  /** Nothing to read (no path, or no API key: `missingKey`). */
  idle(missingKey: boolean): void;
  /** The hub answered: its status and JSON body. */
  answer(status: number, body: T): void;
  /** The read failed (network, not JSON). */
  failed(reason: string): void;
}

/**
 * Reads `path` of the selected hub with the API key every `interval` ms, and again at once on
 * `refresh()`. Only the latest read's answer is handled: an answer to an earlier one (another
 * key, hub or path) is dropped.
 */
export function pollWithKey<T>(
  hub: HubTarget,
  apiKey: () => string,
  handlers: PollHandlers<T>,
): { refresh(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    const mine = ++generation;
    const path = handlers.path();
    const key = apiKey();
    if (path === undefined || key === "") {
      handlers.idle(path !== undefined);
      return;
    }
    try {
      const response = await fetch(hub.url(path), {
        headers: { authorization: `Bearer ${key}` },
        cache: "no-store",
      });
      const body = (await response.json()) as T;
      if (mine !== generation) return;
      handlers.answer(response.status, body);
    } catch (error) {
      if (mine !== generation) return;
      handlers.failed(error instanceof Error ? error.message : String(error));
    }
    timer = setTimeout(refresh, handlers.interval);
  }

  return { refresh: () => void refresh() };
}
