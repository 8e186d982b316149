import { ERRORS, type ErrorCode, type ErrorSpec } from "./codes.js";

/** The wire shape of an error inside a reply or an error frame. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Machine-readable extra facts (schema issues, the bad parameter, a suggested value). */
  details?: unknown;
}

/**
 * The one error class of Switchyard. Throw it from RPC handlers, hooks and policies to send a
 * specific code to the client; anything else thrown becomes `internal_error`.
 *
 * @example
 * throw new SwitchyardError("forbidden", "Only owners may cancel this job");
 */
export class SwitchyardError extends Error {
  override readonly name = "SwitchyardError";
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error (500 for the client SDK's own errors, which never reach HTTP). */
  get status(): number {
    return (ERRORS[this.code] as ErrorSpec).status ?? 500;
  }

  /** The wire shape of this error. */
  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { code: this.code, message: this.message };
    if (this.details !== undefined) payload.details = this.details;
    return payload;
  }

  /** Rebuilds an error received on the wire. */
  static fromPayload(payload: ErrorPayload): SwitchyardError {
    return new SwitchyardError(payload.code, payload.message, payload.details);
  }
}
