import type { PresenceConnection, PresenceState } from "@switchyard/client";
import { useCallback, useEffect, useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useLatest, useShared, useStoreSnapshot } from "./store-bridge.js";
import { noClient, presenceBefore } from "./without-client.js";

/** Options of {@link usePresence}. Callbacks may change every render. */
export interface UsePresenceOptions {
  /**
   * A connection joined the channel (a user's second tab is a join too).
   * @default none
   */
  onJoin?: (connection: PresenceConnection) => void;
  /**
   * A connection left (an explicit leave at once, a lost one after the hub's grace).
   * @default none
   */
  onLeave?: (connection: PresenceConnection) => void;
}

/** What {@link usePresence} returns: the presence snapshot and `loadMore`. */
export interface PresenceView extends PresenceState {
  /** Loads the next page of members while `cursor` is not null. */
  loadMore(limit?: number): Promise<PresenceState>;
}

/**
 * Who is on a channel of a presence namespace (`client.presence(channel)`, docs/presence.md):
 * the counts of members and connections, the members grouped by user (three tabs are one
 * member), kept current across hub nodes and reconnects; `onJoin` / `onLeave` for toasts.
 * Subscribes to the channel (sharing the subscription of the other hooks of it).
 *
 * @example
 * function WhoIsHere({ room }: { room: string }) {
 *   const { count, members } = usePresence(`room:${room}`, {
 *     onJoin: (c) => console.log(`${c.userId ?? "a guest"} joined`),
 *   });
 *   return (
 *     <p>
 *       {count.members} here: {members.map((m) => m.userId ?? "guest").join(", ")}
 *     </p>
 *   );
 * }
 */
export function usePresence(
  channel: string | null,
  options: UsePresenceOptions = {},
): PresenceView {
  const { registry } = useSwitchyardContext();
  const shared = useShared(
    channel === null ? null : registry,
    (r) => r.presence(channel as string),
    (r) => r.retainPresence(channel as string),
  );
  const { store } = shared;
  const handlers = useLatest(options);
  useEffect(() => {
    if (!store) return;
    const stops = [
      store.on("join", (connection) => handlers.current.onJoin?.(connection)),
      store.on("leave", (connection) => handlers.current.onLeave?.(connection)),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }, [store, handlers]);
  const server = useMemo(() => presenceBefore(channel ?? ""), [channel]);
  const state = useStoreSnapshot(shared, server);
  const loadMore = useCallback(
    (limit?: number) => (store ? store.loadMore(limit) : noClient()),
    [store],
  );
  return useMemo(() => ({ ...state, loadMore }), [state, loadMore]);
}
