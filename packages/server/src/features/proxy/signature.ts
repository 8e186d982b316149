import { createHmac } from "node:crypto";

/** The header carrying the hub's signature of a request to the application's backend. */
export const SIGNATURE_HEADER = "Switchyard-Signature";

/**
 * Signs a request body for the application's backend: `t=<unix seconds>,v1=<hex HMAC-SHA256
 * of "<t>.<body>" with the secret>`. The timestamp lets the backend refuse replays (older
 * than a few minutes); the backend recomputes the HMAC over the raw body it received.
 *
 * @example
 * headers[SIGNATURE_HEADER] = sign(secret, body, Date.now());
 */
export function sign(secret: string, body: string, now: number): string {
  const t = Math.floor(now / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}
