import { createHash, timingSafeEqual } from "node:crypto";
import { SwitchyardError } from "@switchyard/protocol";
import type { MiddlewareHandler } from "hono";
import { bearerToken } from "../core/auth/bearer-token.js";
import { errorResponse } from "./errors.js";

/**
 * Compares two secrets in constant time. Both are hashed with SHA-256 first, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
function secretsMatch(expectedDigest: Buffer, given: string): boolean {
  const givenDigest = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(expectedDigest, givenDigest);
}

/**
 * Hono middleware that lets a request through only with `Authorization: Bearer <apiKey>`
 * (read as {@link bearerToken} says). No usable header → `api_key_required`; another key →
 * `api_key_invalid`: both answered here, 401 with the JSON error body and
 * `WWW-Authenticate: Bearer`, so it works in any Hono app, whatever its error handler. The
 * HTTP API uses it under `/api`; put it before routes of your own that need the same key.
 *
 * @example
 * app.use("/stats", requireApiKey(process.env.SWITCHYARD_API_KEY!));
 */
export function requireApiKey(apiKey: string): MiddlewareHandler {
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw new TypeError("apiKey must be a non-empty string");
  }
  const expected = createHash("sha256").update(apiKey, "utf8").digest();
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined) return errorResponse(c, new SwitchyardError("api_key_required"));
    if (!secretsMatch(expected, token)) {
      return errorResponse(c, new SwitchyardError("api_key_invalid"));
    }
    await next();
  };
}
