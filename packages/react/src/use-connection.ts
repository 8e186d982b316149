import type { ConnectionState } from "@switchyard/client";
import { useCallback, useMemo, useSyncExternalStore } from "react";
import { useSwitchyardContext } from "./context.js";
import { DISCONNECTED } from "./without-client.js";

/** What {@link useConnection} returns: the connection store's snapshot and `reconnect`. */
export interface ConnectionView extends ConnectionState {
  /**
   * Starts a connection attempt now: after `disconnect()` or a terminal close, or instead of
   * waiting for the backoff's next attempt (`retryAt`). Does nothing while connected or once
   * the client is closed.
   */
  reconnect(): void;
}

const noSubscription = () => () => {};

/**
 * The connection's status (`connecting`, `connected`, `reconnecting`, `disconnected`,
 * `closed`), the reason for it, the failed attempts since the last stable link, when the next
 * attempt starts (`retryAt`, ms since the epoch), and `reconnect()`. On the server and while
 * hydrating: `disconnected` with reason `idle`.
 *
 * @example
 * function ConnectionBanner() {
 *   const { status, reason, attempt, retryAt, reconnect } = useConnection();
 *   if (status === "connected") return null;
 *   const seconds = retryAt ? Math.max(0, Math.round((retryAt - Date.now()) / 1000)) : null;
 *   return (
 *     <div role="status">
 *       {status} ({reason}, attempt {attempt})
 *       {seconds !== null && ` — retrying in ${seconds} s`}
 *       <button onClick={reconnect}>Retry now</button>
 *     </div>
 *   );
 * }
 */
export function useConnection(): ConnectionView {
  const { client } = useSwitchyardContext();
  const state = useSyncExternalStore(
    client ? client.connection.subscribe : noSubscription,
    client ? client.connection.getSnapshot : () => DISCONNECTED,
    () => DISCONNECTED,
  );
  const reconnect = useCallback(() => {
    if (!client) return;
    const { status } = client.connection.getSnapshot();
    if (status === "connected" || status === "closed") return;
    // Stopping resets the backoff: the next attempt starts at once.
    if (status !== "disconnected") client.disconnect();
    client.connect();
  }, [client]);
  return useMemo(() => ({ ...state, reconnect }), [state, reconnect]);
}
