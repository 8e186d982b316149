import { type ErrorPayload, isErrorCode, SwitchyardError } from "@switchyard/protocol";

/**
 * Errors raised by the client itself, never sent by the server. Server errors arrive as
 * {@link SwitchyardError} with a code of the protocol's `ERRORS` table.
 */
export const CLIENT_ERRORS = {
  outbox_full: "The outbox is full: too many calls are waiting for the connection",
  request_timeout: "No reply arrived in time",
  aborted: "The call was aborted",
  connection_lost: "The connection dropped before the reply arrived; the call may have run",
  client_closed: "The client was closed",
} as const;

/** Every code a {@link ClientError} can carry. */
export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

/**
 * An error raised on the client side: a full outbox, a timeout, an abort, a lost connection,
 * or a closed client.
 *
 * @example
 * try {
 *   await client.rpc("math.add", { a: 1, b: 2 }, { timeout: 1000 });
 * } catch (error) {
 *   if (error instanceof ClientError && error.code === "request_timeout") retryLater();
 * }
 */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? CLIENT_ERRORS[code], options);
    this.code = code;
  }
}

/** Rebuilds an error payload from the wire; unknown codes become `internal_error`. */
export function errorFromPayload(payload: ErrorPayload | undefined): SwitchyardError {
  if (payload && isErrorCode(payload.code)) {
    return new SwitchyardError(payload.code, payload.message, payload.details);
  }
  return new SwitchyardError("internal_error", payload?.message, payload);
}
