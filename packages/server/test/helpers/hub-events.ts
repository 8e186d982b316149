import type { Hub, HubEvents } from "../../src/index.js";
import { onCleanup } from "./fixtures.js";

/**
 * Resolves with the next lifecycle event `name` of `hub` that passes `test`. Start waiting
 * before causing the event.
 */
export function nextHubEvent<K extends keyof HubEvents>(
  hub: Hub,
  name: K,
  test: (info: HubEvents[K]) => boolean = () => true,
): Promise<HubEvents[K]> {
  return new Promise((resolve) => {
    const off = hub.on(name, (info) => {
      if (!test(info)) return;
      off();
      resolve(info);
    });
    onCleanup(off);
  });
}

/** Records every lifecycle event `name` of `hub` for the rest of the test. */
export function recordHubEvents<K extends keyof HubEvents>(hub: Hub, name: K): HubEvents[K][] {
  const seen: HubEvents[K][] = [];
  onCleanup(hub.on(name, (info) => seen.push(info)));
  return seen;
}
