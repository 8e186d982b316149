import { type ErrorPayload, isErrorCode, SwitchyardError } from "@switchyard/protocol";

/** The codes of errors the client raises itself (rows of the protocol's `ERRORS` table). */
export type ClientErrorCode =
  | "outbox_full"
  | "request_timeout"
  | "aborted"
  | "connection_lost"
  | "client_closed";

/**
 * An error raised on the client side: a full outbox, a timeout, an abort, a lost connection,
 * or a closed client. It is a {@link SwitchyardError}, so one `instanceof` check and one
 * `code` switch cover server and client errors alike.
 *
 * @example
 * try {
 *   await client.rpc("math.add", { a: 1, b: 2 }, { timeout: 1000 });
 * } catch (error) {
 *   if (error instanceof SwitchyardError && error.code === "request_timeout") retryLater();
 * }
 */
export class ClientError extends SwitchyardError {
  declare readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Rebuilds an error payload from the wire; unknown codes become `internal_error`. */
export function errorFromPayload(payload: ErrorPayload | undefined): SwitchyardError {
  if (payload && isErrorCode(payload.code)) {
    return new SwitchyardError(payload.code, payload.message, payload.details);
  }
  return new SwitchyardError("internal_error", payload?.message, payload);
}
