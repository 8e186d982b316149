/**
 * The one table of Switchyard error codes.
 *
 * Every error a client or an HTTP caller can see has a stable string code. Each code maps to
 * an HTTP status (for the HTTP API), optionally a WebSocket close code (when the error ends
 * the connection), and the action a client takes when the connection is closed with it.
 * `docs/errors.md` documents every row; a test fails when the two disagree.
 */

/**
 * What a client does after the server closed its connection with a given close code.
 * - `terminal`: do not reconnect (the same attempt would fail again).
 * - `backoff`: reconnect on the slow tier (the server is protecting itself).
 * - `reconnect`: reconnect at once and recover from history.
 */
export type CloseAction = "terminal" | "backoff" | "reconnect";

/** One row of the error table. */
export interface ErrorSpec {
  /**
   * HTTP status used when the error is returned by the HTTP API; absent for errors the client
   * SDK raises itself (never sent by a server).
   */
  readonly status?: number;
  /** WebSocket close code (4000–4999) when the error closes the connection. */
  readonly close?: number;
  /** Default human-readable message. */
  readonly message: string;
}

/**
 * Close-code ranges: the class of a close code is read from its range, so a client can act
 * on codes it does not know yet.
 */
export const CLOSE_RANGES = {
  terminal: [4000, 4099],
  backoff: [4100, 4199],
  reconnect: [4200, 4299],
} as const satisfies Record<CloseAction, readonly [number, number]>;

export const ERRORS = {
  // --- frames and requests (reply errors; the connection stays open) ---
  malformed_frame: { status: 400, message: "The message is not valid JSON or MessagePack" },
  unknown_frame_type: { status: 400, message: "Unknown frame type" },
  invalid_frame: { status: 400, message: "A field is missing or has the wrong type" },
  message_too_large: { status: 413, message: "The message exceeds the inbound size limit" },
  not_connected: { status: 400, message: "Send a connect frame first" },
  already_connected: { status: 400, message: "The connection is already established" },
  invalid_channel: { status: 400, message: "The channel name is not valid" },
  unknown_namespace: { status: 404, message: "No namespace is configured for this channel" },
  not_subscribed: { status: 400, message: "The client is not subscribed to this channel" },
  too_many_subscriptions: {
    status: 429,
    message: "The client has reached its subscription limit",
  },
  invalid_data: { status: 422, message: "The data does not match the schema" },
  unknown_event: { status: 422, message: "The event is not declared for this namespace" },
  method_not_found: { status: 404, message: "No RPC handler is registered for this method" },
  internal_error: { status: 500, message: "Internal server error" },
  forbidden: { status: 403, message: "Not allowed" },
  user_mismatch: { status: 403, message: "A refreshed token must belong to the same user" },
  // --- refused at the WebSocket upgrade (HTTP response, no connection) ---
  invalid_upgrade: { status: 400, message: "Not a valid WebSocket opening handshake" },
  method_not_allowed: { status: 405, message: "The opening handshake must be a GET" },
  unsupported_websocket_version: { status: 426, message: "Only WebSocket version 13 is supported" },
  origin_not_allowed: { status: 403, message: "The Origin is not allowed" },
  unsupported_protocol: { status: 400, message: "Unsupported WebSocket subprotocol" },
  broker_unavailable: {
    status: 503,
    close: 4104,
    message: "The broker is unreachable; the hub keeps serving its clients and retries",
  },
  // --- HTTP API ---
  invalid_body: { status: 400, message: "The request body is not valid" },
  api_key_required: { status: 401, message: "An API key is required: Authorization: Bearer <key>" },
  api_key_invalid: { status: 401, message: "The API key is not valid" },
  not_found: { status: 404, message: "Not found" },
  // --- jobs ---
  job_not_found: { status: 404, message: "No such job (never created, or no longer kept)" },
  job_exists: { status: 409, message: "A job with this id already exists" },
  job_finished: { status: 409, message: "The job has already finished" },
  invalid_progress: {
    status: 422,
    message: "Progress must be a number from 0 to 100 that never goes down",
  },
  invalid_chunk: { status: 422, message: "The chunk index or total is not valid" },
  duplicate_chunk: { status: 409, message: "A chunk with this index was already received" },
  // --- synced state (docs/state.md) ---
  state_not_found: { status: 404, message: "No state document of this name is declared" },
  state_unknown_key: { status: 422, message: "The key is not declared for this document" },
  state_invalid_value: { status: 422, message: "The value does not match the key's schema" },
  state_conflict: {
    status: 409,
    message: "A key of this write changed after the given version (ifVersion)",
  },
  state_too_large: { status: 413, message: "The value or the document exceeds its size limit" },
  state_unknown_preset: { status: 404, message: "No preset of this name is defined" },
  // --- presence (docs/presence.md) ---
  presence_disabled: { status: 400, message: "Presence is not on for this channel's namespace" },
  // --- errors that close the connection: terminal (40xx) ---
  unauthorized: { status: 401, close: 4001, message: "A token is required" },
  token_invalid: { status: 401, close: 4002, message: "The token is not valid" },
  disconnected: { status: 410, close: 4003, message: "Disconnected by the server" },
  backend_error: {
    status: 403,
    close: 4004,
    message: "The application's backend refused the request",
  },
  // --- errors that close the connection: back off slowly (41xx) ---
  rate_limited: { status: 429, close: 4100, message: "Too many messages" },
  too_many_connections: { status: 503, close: 4101, message: "Connection limit reached" },
  connect_timeout: {
    status: 408,
    close: 4102,
    message: "No connect frame arrived in time",
  },
  auth_unavailable: {
    status: 503,
    close: 4103,
    message: "The token could not be checked right now",
  },
  backend_unavailable: {
    status: 503,
    close: 4105,
    message: "The application's backend could not be reached or failed; retry later",
  },
  backend_timeout: {
    status: 504,
    close: 4106,
    message: "The application's backend did not answer in time",
  },
  backend_invalid_answer: {
    status: 502,
    close: 4107,
    message: "The application's backend gave an answer the hub cannot read",
  },
  // --- errors that close the connection: reconnect now (42xx) ---
  server_shutting_down: { status: 503, close: 4200, message: "The server is shutting down" },
  slow_consumer: {
    status: 503,
    close: 4201,
    message: "The client did not read fast enough; reconnect and recover from history",
  },
  heartbeat_timeout: { status: 408, close: 4202, message: "No pong arrived in time" },
  token_expired: { status: 401, close: 4203, message: "The token has expired" },
  broker_reset: {
    status: 503,
    close: 4204,
    message: "The hub may have missed events on a subscribed channel; reconnect and recover",
  },
  // --- raised by the client SDK itself, never sent by the server ---
  outbox_full: { message: "The outbox is full: too many calls are waiting for the connection" },
  request_timeout: { message: "No reply arrived in time" },
  aborted: { message: "The call was aborted" },
  connection_lost: {
    message: "The connection dropped before the reply arrived; the call may have run",
  },
  client_closed: { message: "The client was closed" },
} as const satisfies Record<string, ErrorSpec>;

/** Every error code Switchyard can emit. */
export type ErrorCode = keyof typeof ERRORS;

/** All error codes, in table order. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** Returns true when `code` is a known error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERRORS, code);
}

/** The close code for an error code, if that error closes the connection. */
export function closeCodeOf(code: ErrorCode): number | undefined {
  return (ERRORS[code] as ErrorSpec).close;
}

/** The error code for a close code, if it is one of Switchyard's. */
export function errorCodeOfClose(close: number): ErrorCode | undefined {
  return ERROR_CODES.find((code) => closeCodeOf(code) === close);
}

/**
 * The action a client takes after a close with `code`. Codes outside 4000–4999 (network
 * drops, 1001 going away, 1006 abnormal) mean "reconnect".
 */
export function closeActionOf(code: number): CloseAction {
  for (const [action, [low, high]] of Object.entries(CLOSE_RANGES)) {
    if (code >= low && code <= high) return action as CloseAction;
  }
  if (code >= 4300 && code <= 4999) return "terminal";
  return "reconnect";
}
