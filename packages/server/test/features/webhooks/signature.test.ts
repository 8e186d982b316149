/**
 * The `Switchyard-Signature` scheme: `t=<seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`,
 * verified by `verifyWebhook` as docs/webhooks.md says.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../../../src/index.js";

const BODY = '{"events":[{"id":"1","type":"channel_vacated"}]}';
const NOW = 1_767_225_600;

describe("webhook signatures", () => {
  it("is the HMAC-SHA256 of '<t>.<body>' in hex, as the docs define it", () => {
    const expected = createHmac("sha256", "s1").update(`${NOW}.${BODY}`).digest("hex");
    expect(signWebhook(BODY, "s1", NOW)).toBe(`t=${NOW},v1=${expected}`);
  });

  it("verifies a fresh signature of the exact body, from text or bytes", () => {
    const header = signWebhook(BODY, "s1", NOW);
    expect(verifyWebhook(BODY, header, "s1", { now: NOW + 10 })).toBe(true);
    expect(verifyWebhook(Buffer.from(BODY), header, ["other", "s1"], { now: NOW })).toBe(true);
  });

  it("rejects a tampered body, a wrong secret, and a missing or malformed header", () => {
    const header = signWebhook(BODY, "s1", NOW);
    const options = { now: NOW };
    expect(verifyWebhook(BODY.replace("vacated", "occupied"), header, "s1", options)).toBe(false);
    expect(verifyWebhook(BODY, header, "s2", options)).toBe(false);
    expect(verifyWebhook(BODY, undefined, "s1", options)).toBe(false);
    expect(verifyWebhook(BODY, "", "s1", options)).toBe(false);
    expect(verifyWebhook(BODY, header.replace(`t=${NOW}`, `t=${NOW + 1}`), "s1", options)).toBe(
      false,
    );
    expect(verifyWebhook(BODY, header.split(",")[1], "s1", options)).toBe(false); // no t
    expect(verifyWebhook(BODY, `t=${NOW}`, "s1", options)).toBe(false); // no v1
    expect(verifyWebhook(BODY, `t=${NOW},t=${NOW},${header.split(",")[1]}`, "s1", options)).toBe(
      false,
    );
    expect(verifyWebhook(BODY, `t=x,${header.split(",")[1]}`, "s1", options)).toBe(false);
  });

  it("rejects timestamps beyond the tolerance, either way (replays)", () => {
    const header = signWebhook(BODY, "s1", NOW);
    expect(verifyWebhook(BODY, header, "s1", { now: NOW + 300 })).toBe(true);
    expect(verifyWebhook(BODY, header, "s1", { now: NOW + 301 })).toBe(false);
    expect(verifyWebhook(BODY, header, "s1", { now: NOW - 301 })).toBe(false);
    expect(verifyWebhook(BODY, header, "s1", { now: NOW + 3600, tolerance: 3600 })).toBe(true);
    // Against the real clock: a signature made now verifies, one from ten minutes ago not.
    expect(verifyWebhook(BODY, signWebhook(BODY, "s1"), "s1")).toBe(true);
    const old = signWebhook(BODY, "s1", Math.floor(Date.now() / 1000) - 600);
    expect(verifyWebhook(BODY, old, "s1")).toBe(false);
  });

  it("signs with every secret during a rotation, and skips schemes it does not know", () => {
    const header = signWebhook(BODY, ["new", "old"], NOW);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhook(BODY, header, "old", { now: NOW })).toBe(true);
    expect(verifyWebhook(BODY, header, "new", { now: NOW })).toBe(true);
    expect(verifyWebhook(BODY, `${header},v2=abc`, "new", { now: NOW })).toBe(true);
  });
});
