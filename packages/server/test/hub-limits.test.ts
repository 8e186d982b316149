import { describe, expect, it } from "vitest";
import type { Hub, HubOptions } from "../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "./helpers/fixtures.js";
import { nextHubEvent } from "./helpers/hub-events.js";
import { signToken, TEST_SECRET } from "./helpers/tokens.js";
import { refusedUpgrade } from "./helpers/upgrade.js";

/** Opens a client whose connect the hub refuses for a full slot; resolves with the close. */
async function refused(url: string, fields: Record<string, unknown> = {}) {
  const client = new RawClient(url);
  await client.open();
  client.send({ type: "connect", id: 1, ...fields });
  const code = await client.waitClose();
  return { code, reason: client.closeReason, client };
}

/** Closes `client` cleanly and waits until the hub has let it go. */
async function leave(hub: Hub, client: RawClient): Promise<void> {
  const gone = nextHubEvent(hub, "disconnect");
  client.ws.close(1000);
  await gone;
}

const AUTH: HubOptions = {
  auth: { secret: TEST_SECRET },
  allowAnonymous: true,
  defaultNamespace: { subscribe: "anyone" },
};

describe("connection limits", () => {
  it("closes the connection past maxConnections with 4101 and frees the slot on leave", async () => {
    const { url, hub } = await startHub({ ...OPEN_POLICY, limits: { maxConnections: 2 } });
    const first = await connected(url);
    await connected(url);
    const extra = await refused(url);
    expect(extra.code).toBe(4101);
    expect(extra.reason).toMatch(/at most 2 connections/);
    // The refused connect gets its error reply, then the close that says "back off".
    const replies = extra.client.frames.filter((frame) => frame.type === "reply");
    expect(replies).toMatchObject([{ id: 1, error: { code: "too_many_connections" } }]);

    await leave(hub, first);
    const next = await connected(url);
    expect(next.ws.readyState).toBe(next.ws.OPEN);
    expect((await refused(url)).code).toBe(4101);
  });

  it("a refused connection does not hold a slot", async () => {
    const { url, hub } = await startHub({ ...OPEN_POLICY, limits: { maxConnections: 1 } });
    const only = await connected(url);
    for (let i = 0; i < 3; i++) expect((await refused(url)).code).toBe(4101);
    await leave(hub, only);
    await connected(url);
  });

  it("limits connections per user, not across users or anonymous clients", async () => {
    const { url, hub } = await startHub({ ...AUTH, limits: { maxConnectionsPerUser: 2 } });
    const ada = await signToken("ada");
    const first = await connected(url, { token: ada });
    await connected(url, { token: ada });
    const extra = await refused(url, { token: ada });
    expect(extra.code).toBe(4101);
    expect(extra.reason).toMatch(/per user/);
    await connected(url, { token: await signToken("bob") });
    await connected(url);
    await connected(url);
    await connected(url);

    await leave(hub, first);
    await connected(url, { token: ada });
  });

  it("limits connections per remote address", async () => {
    const { url, hub } = await startHub({ ...AUTH, limits: { maxConnectionsPerIp: 2 } });
    const first = await connected(url);
    await connected(url, { token: await signToken("ada") });
    const extra = await refused(url, { token: await signToken("bob") });
    expect(extra.code).toBe(4101);
    expect(extra.reason).toMatch(/per IP/);
    await leave(hub, first);
    await connected(url);
  });

  it("frees the slot of a client that vanished without a close handshake", async () => {
    const { url, hub } = await startHub({ ...OPEN_POLICY, limits: { maxConnections: 1 } });
    const first = await connected(url);
    const gone = nextHubEvent(hub, "disconnect");
    first.ws.terminate();
    expect((await gone).code).toBe(1006);
    await connected(url);
  });
});

describe("subscription limit", () => {
  it("refuses the subscription past maxSubscriptions; personal channels do not count", async () => {
    const { url } = await startHub({ ...OPEN_POLICY, limits: { maxSubscriptions: 2 } });
    const client = new RawClient(url);
    const result = await client.connect();
    expect(result.limits).toMatchObject({ maxSubscriptions: 2 });
    expect((await client.request({ type: "subscribe", channel: "a:1" })).error).toBeUndefined();
    expect((await client.request({ type: "subscribe", channel: "a:2" })).error).toBeUndefined();
    const third = await client.request({ type: "subscribe", channel: "a:3" });
    expect(third.error).toMatchObject({ code: "too_many_subscriptions" });
    // Subscribing again to a channel held already replaces it and needs no new slot.
    const again = await client.request({ type: "subscribe", channel: "a:1", events: ["x"] });
    expect(again.error).toBeUndefined();
    // The connection stays usable, and leaving a channel frees its slot.
    expect((await client.request({ type: "unsubscribe", channel: "a:1" })).error).toBeUndefined();
    expect((await client.request({ type: "subscribe", channel: "a:3" })).error).toBeUndefined();
    expect(client.closeCode).toBeUndefined();
  });

  it("counts per client", async () => {
    const { url } = await startHub({ ...OPEN_POLICY, limits: { maxSubscriptions: 1 } });
    const one = await connected(url);
    const two = await connected(url);
    expect((await one.request({ type: "subscribe", channel: "a:1" })).error).toBeUndefined();
    expect((await two.request({ type: "subscribe", channel: "a:1" })).error).toBeUndefined();
    const over = await one.request({ type: "subscribe", channel: "a:2" });
    expect(over.error).toMatchObject({ code: "too_many_subscriptions" });
  });
});

describe("Origin allow-list", () => {
  const ORIGINS: HubOptions = { ...OPEN_POLICY, allowedOrigins: ["https://app.example"] };

  it("refuses a disallowed Origin at the upgrade with 403 origin_not_allowed", async () => {
    const { url, hub } = await startHub(ORIGINS);
    const answer = await refusedUpgrade(url, { Origin: "https://evil.example" });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: "origin_not_allowed" } });
    expect(hub.stats().connections).toBe(0);
  });

  it("compares the whole origin, scheme and port included", async () => {
    const { url } = await startHub(ORIGINS);
    for (const origin of [
      "http://app.example",
      "https://app.example:8443",
      "https://app.example.evil.example",
    ]) {
      expect((await refusedUpgrade(url, { Origin: origin })).status).toBe(403);
    }
  });

  it("accepts an allowed Origin, and clients that send none (not a browser)", async () => {
    const { url } = await startHub(ORIGINS);
    const browser = await connected(url, {}, { headers: { Origin: "https://app.example" } });
    expect((await browser.request({ type: "ping" })).result).toEqual({});
    await connected(url);
  });
});
