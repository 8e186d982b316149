import type { ChannelEvent, ChannelName, Contract, ReceivedEvent } from "@switchyard/client";
import { BatchedValue, type RenderMode } from "./batch.js";
import { useSwitchyardContext } from "./context.js";
import type { StoreRegistry } from "./registry.js";
import { useShared, useStoreSnapshot } from "./store-bridge.js";

/** How many events {@link useEventList} keeps by default. */
export const DEFAULT_EVENT_LIST_LIMIT = 100;

/** Options of {@link useEventList}. */
export interface UseEventListOptions<Ev extends ReceivedEvent = ReceivedEvent> {
  /**
   * The most events kept: older ones drop off the front.
   * @default 100
   */
  limit?: number;
  /**
   * Only these events are listed.
   * @default every event
   */
  events?: readonly Ev["event"][];
  /**
   * `frame`: re-render at most once per frame (16 ms) (a burst is one render); `every`:
   * re-render for every event.
   * @default "frame"
   */
  render?: RenderMode;
  /**
   * Empty the list when continuity is lost (a `reset`: missed events are gone), so a feed
   * does not show a silent hole.
   * @default false
   */
  clearOnReset?: boolean;
}

const EMPTY: readonly never[] = Object.freeze([]);

function listCell(
  registry: StoreRegistry,
  channel: string,
  limit: number,
  events: readonly string[] | undefined,
  mode: RenderMode,
  clearOnReset: boolean,
): { value: BatchedValue<readonly ReceivedEvent[]>; dispose: () => void } {
  const lease = registry.retainChannel(channel);
  const draft: ReceivedEvent[] = [];
  let published: readonly ReceivedEvent[] = EMPTY;
  let dirty = false;
  const value = new BatchedValue<readonly ReceivedEvent[]>(
    EMPTY,
    (): readonly ReceivedEvent[] => {
      if (dirty) {
        dirty = false;
        published = draft.length === 0 ? EMPTY : draft.slice();
      }
      return published;
    },
    mode,
  );
  const filter = events ? new Set(events) : undefined;
  const stops = [
    lease.value.on("event", (received) => {
      if (filter && !filter.has(received.event)) return;
      draft.push(received);
      if (draft.length > limit) draft.splice(0, draft.length - limit);
      dirty = true;
      value.changed();
    }),
    lease.value.on("reset", () => {
      if (!clearOnReset) return;
      draft.length = 0;
      dirty = true;
      value.changed();
    }),
  ];
  return {
    value,
    dispose: () => {
      for (const stop of stops) stop();
      value.stop();
      lease.release();
    },
  };
}

const disposeCell = (cell: { dispose: () => void }) => cell.dispose();

/**
 * The latest events of a channel, oldest first, at most `limit` of them, since the component
 * (or another one showing the same list) mounted: for feeds and logs. A burst of events
 * renders once per frame (16 ms).
 *
 * @example
 * function ActivityFeed() {
 *   const events = useEventList("activity", { limit: 20, events: ["comment", "like"] });
 *   return (
 *     <ol>
 *       {events.map((e) => <li key={`${e.offset}`}>{e.event}: {JSON.stringify(e.data)}</li>)}
 *     </ol>
 *   );
 * }
 */
export function useEventList<
  C extends Contract = Contract,
  Ch extends ChannelName<C> = ChannelName<C>,
>(
  channel: Ch | null,
  options: UseEventListOptions<ChannelEvent<C, Ch>> = {},
): readonly ChannelEvent<C, Ch>[] {
  const { registry } = useSwitchyardContext();
  const limit = options.limit ?? DEFAULT_EVENT_LIST_LIMIT;
  const mode = options.render ?? "frame";
  const clearOnReset = options.clearOnReset ?? false;
  const events = options.events as readonly string[] | undefined;
  const key = `list\u0000${mode}\u0000${limit}\u0000${clearOnReset}\u0000${events?.join(",") ?? "*"}\u0000${channel}`;
  const create = (r: StoreRegistry) =>
    listCell(r, channel as string, limit, events, mode, clearOnReset);
  const shared = useShared(
    channel === null ? null : registry,
    (r) => r.get(key, () => create(r), disposeCell).value,
    (r) => {
      const lease = r.retain(key, () => create(r), disposeCell);
      return { value: lease.value.value, release: lease.release };
    },
  );
  return useStoreSnapshot(shared, EMPTY) as readonly ChannelEvent<C, Ch>[];
}
