import type { ConnectResult, ErrorCode } from "@switchyard/protocol";

/**
 * The shape of the connection store: where the connection is, why, and what is behind it.
 */

/**
 * - `connecting`: trying to connect, never connected since `connect()`.
 * - `connected`: the link is up (the connect reply arrived).
 * - `reconnecting`: the link dropped; waiting for the next attempt or attempting.
 * - `disconnected`: not trying: not started, stopped by `disconnect()`, after a terminal
 *   close code, or when a fixed token expired (`reason` tells which). `connect()` starts again.
 * - `closed`: `close()` was called; the client is finished.
 */
export type ConnectionStatus =
  | "connecting"
  | "connected"
  | "reconnecting"
  | "disconnected"
  | "closed";

/**
 * Why the connection is in its state: one of the protocol's error codes (a close code from
 * the server, a refused connect, `heartbeat_timeout` / `connect_timeout` detected by the
 * client, or `user_mismatch` when a refreshed token named another user), or one of:
 * - `idle`: not started yet;
 * - `connect`: `connect()` was called;
 * - `connected`: the link is up;
 * - `network`: the socket closed without one of our close codes (network loss, 1006, ...);
 * - `probe_timeout`: a probe (client ping) got no reply in time;
 * - `online`: the browser came back online, so the waiting attempt starts now;
 * - `visible`: the page became visible again, so the waiting attempt starts now;
 * - `token_error`: `getToken()` (or a `connectData` function) threw;
 * - `closed_by_client`: `disconnect()` or `close()`.
 */
export type ConnectionReason =
  | ErrorCode
  | "idle"
  | "connect"
  | "connected"
  | "network"
  | "probe_timeout"
  | "online"
  | "visible"
  | "token_error"
  | "closed_by_client";

/** A snapshot of the connection store. */
export interface ConnectionState {
  readonly status: ConnectionStatus;
  readonly reason: ConnectionReason;
  /** WebSocket close code behind this state, when a socket closed (1006, 4201, ...). */
  readonly closeCode: number | null;
  /**
   * The error behind this state: a `SwitchyardError` with the reason's code whenever `reason`
   * is an error code; what `getToken` threw for `token_error`; the original error when no
   * socket could be opened. Null otherwise (a plain network drop included).
   */
  readonly error: Error | null;
  /**
   * Failed attempts since the last stable link (one that stayed up `reconnect.resetAfter`):
   * attempts that ended before the connect reply and links that dropped before they were
   * stable. 0 after a clean connect; the `n` of the reconnect delay.
   */
  readonly attempt: number;
  /** When the next attempt starts (ms since the Unix epoch), while waiting for it. */
  readonly retryAt: number | null;
  /** The connect reply of the live link (ids, heartbeat, limits), while connected. */
  readonly info: ConnectResult | null;
}
