import type { ChannelName, Contract, EventData, EventName } from "@switchyard/client";

import { BatchedValue, type RenderMode } from "./batch.js";
import { useSwitchyardContext } from "./context.js";
import type { StoreRegistry } from "./registry.js";
import { useShared, useStoreSnapshot } from "./store-bridge.js";

/** Options of {@link useLatestEvent}. */
export interface UseLatestEventOptions {
  /**
   * `frame`: re-render at most once per frame (16 ms) with the latest value (a burst of
   * events is one render); `every`: re-render for every event.
   * @default "frame"
   */
  render?: RenderMode;
}

/** The latest data of one event of a channel, shared by the hooks that ask for it. */
function latestCell(
  registry: StoreRegistry,
  channel: string,
  event: string,
  mode: RenderMode,
): { value: BatchedValue<unknown>; dispose: () => void } {
  const lease = registry.retainChannel(channel);
  let latest: unknown;
  const value = new BatchedValue<unknown>(undefined, () => latest, mode);
  const stop = lease.value.on("event", (received) => {
    if (received.event !== event) return;
    latest = received.data;
    value.changed();
  });
  return {
    value,
    dispose: () => {
      stop();
      value.stop();
      lease.release();
    },
  };
}

const disposeCell = (cell: { dispose: () => void }) => cell.dispose();

/**
 * The data of the latest `event` on `channel` since the component (or another one asking for
 * the same) mounted: `undefined` until one arrives. For progress-like data where only the last
 * value matters; renders at most once per frame (16 ms) however fast the events come.
 *
 * @example
 * function Upload({ id }: { id: string }) {
 *   const progress = useLatestEvent(`upload:${id}`, "progress") as { percent: number } | undefined;
 *   return <progress max={100} value={progress?.percent ?? 0} />;
 * }
 */
export function useLatestEvent<
  C extends Contract = Contract,
  Ch extends ChannelName<C> = ChannelName<C>,
  const E extends EventName<C, Ch> = EventName<C, Ch>,
>(
  channel: Ch | null,
  event: E,
  options: UseLatestEventOptions = {},
): EventData<C, Ch, E> | undefined {
  const { registry } = useSwitchyardContext();
  const mode = options.render ?? "frame";
  const key = `latest\u0000${mode}\u0000${channel}\u0000${event}`;
  const shared = useShared(
    channel === null ? null : registry,
    (r) => r.get(key, () => latestCell(r, channel as string, event, mode), disposeCell).value,
    (r) => {
      const lease = r.retain(key, () => latestCell(r, channel as string, event, mode), disposeCell);
      return { value: lease.value.value, release: lease.release };
    },
  );
  return useStoreSnapshot(shared, undefined) as EventData<C, Ch, E> | undefined;
}
