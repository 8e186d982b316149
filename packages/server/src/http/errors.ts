import { type ErrorPayload, SwitchyardError } from "@switchyard/protocol";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../core/options.js";

/** The JSON body of every HTTP API error response. */
export interface HttpErrorBody {
  error: ErrorPayload;
}

/** A JSON error response with the status of the error's code. */
export function errorResponse(c: Context, error: SwitchyardError): Response {
  const body: HttpErrorBody = { error: error.toPayload() };
  const response = c.json(body, error.status as ContentfulStatusCode);
  if (error.code === "api_key_required" || error.code === "api_key_invalid") {
    response.headers.set("WWW-Authenticate", 'Bearer realm="switchyard"');
  }
  return response;
}

/**
 * Maps anything thrown by a route to a JSON error: a `SwitchyardError` keeps its code and
 * status; anything else is logged and answered with `internal_error`, without its message
 * (it may hold internals).
 */
export function httpErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof SwitchyardError) return errorResponse(c, err);
    logger.error(
      { err, method: c.req.method, path: c.req.path },
      "HTTP API request failed with an unexpected error",
    );
    return errorResponse(c, new SwitchyardError("internal_error"));
  };
}

/** JSON `not_found` for unknown routes. */
export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(
    c,
    new SwitchyardError("not_found", `No route for ${c.req.method} ${c.req.path}`, {
      method: c.req.method,
      path: c.req.path,
    }),
  );
