import { createHash, timingSafeEqual } from "node:crypto";
import { SwitchyardError } from "@switchyard/protocol";
import type { MiddlewareHandler } from "hono";
import { bearerToken } from "../auth/bearer-token.js";

/**
 * Compares two secrets in constant time. Both are hashed with SHA-256 first, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretsMatch(expectedDigest: Buffer, given: string): boolean {
  const givenDigest = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(expectedDigest, givenDigest);
}

/**
 * Middleware that lets a request through only with `Authorization: Bearer <apiKey>`.
 * No usable header → `api_key_required`; another key → `api_key_invalid` (both 401).
 */
export function requireApiKey(apiKey: string): MiddlewareHandler {
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw new TypeError("apiKey must be a non-empty string");
  }
  const expected = createHash("sha256").update(apiKey, "utf8").digest();
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (token === undefined) throw new SwitchyardError("api_key_required");
    if (!secretsMatch(expected, token)) throw new SwitchyardError("api_key_invalid");
    await next();
  };
}
