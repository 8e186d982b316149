import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The `Switchyard-Signature` header of webhook requests (docs/webhooks.md):
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one `v1` per secret while
 * secrets rotate. The timestamp is signed with the body, so a receiver that rejects old
 * timestamps also rejects a captured request replayed later.
 */

/** The header that carries the signature. */
export const SIGNATURE_HEADER = "Switchyard-Signature";

/**
 * Seconds a signature's timestamp may differ from the receiver's clock.
 * @default 300
 */
export const DEFAULT_SIGNATURE_TOLERANCE = 300;

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /**
   * Seconds the header's timestamp may be older (or newer) than `now`.
   * @default 300
   */
  tolerance?: number;
  /**
   * The receiver's clock, in Unix seconds (for tests).
   * @default Date.now() / 1000
   */
  now?: number;
}

const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

function hmac(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return mac.digest();
}

/**
 * The `Switchyard-Signature` value for `body` signed at `timestamp` (Unix seconds) with each
 * of `secrets`.
 *
 * @example
 * signWebhook('{"events":[]}', ["whsec_1"], 1767225600)
 * // "t=1767225600,v1=5c0f…"
 */
export function signWebhook(
  body: string | Uint8Array,
  secrets: string | readonly string[],
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  const signatures = list.map((secret) => `v1=${hmac(secret, timestamp, body).toString("hex")}`);
  return [`t=${timestamp}`, ...signatures].join(",");
}

/**
 * True when `header` (the request's `Switchyard-Signature`) is a signature of the raw `body`
 * by one of `secret`, made within `tolerance` seconds of now. Pass the body exactly as
 * received (the bytes, or the text before any JSON parsing): a re-serialised body does not
 * verify. Compares in constant time.
 *
 * @example
 * import { verifyWebhook } from "@switchyard/server";
 * const body = await request.text();
 * if (!verifyWebhook(body, request.headers.get("switchyard-signature"), process.env.WEBHOOK_SECRET)) {
 *   return new Response("bad signature", { status: 401 });
 * }
 * for (const event of JSON.parse(body).events) handle(event);
 */
export function verifyWebhook(
  body: string | Uint8Array,
  header: string | null | undefined,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): boolean {
  if (typeof header !== "string") return false;
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) return false;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === "v1" && HEX_SIGNATURE.test(value)) {
      candidates.push(Buffer.from(value, "hex"));
    }
    // Other schemes (a future v2) are skipped: a receiver verifies the ones it knows.
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  const tolerance = options.tolerance ?? DEFAULT_SIGNATURE_TOLERANCE;
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - timestamp) > tolerance) return false;
  const secrets = typeof secret === "string" ? [secret] : secret;
  for (const each of secrets) {
    const expected = hmac(each, timestamp, body);
    if (candidates.some((candidate) => timingSafeEqual(candidate, expected))) return true;
  }
  return false;
}
