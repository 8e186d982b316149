import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { HubOptions, Logger } from "../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "./helpers/fixtures.js";
import { nextHubEvent, recordHubEvents } from "./helpers/hub-events.js";
import { signToken, TEST_SECRET } from "./helpers/tokens.js";
import { refusedUpgrade } from "./helpers/upgrade.js";

const AUTH: HubOptions = {
  auth: { secret: TEST_SECRET },
  allowAnonymous: true,
  defaultNamespace: { subscribe: "anyone", publish: "anyone" },
};

/** A logger that keeps the messages of `error` calls. */
function errorLog(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const noop = () => {};
  return {
    errors,
    logger: { debug: noop, info: noop, warn: noop, error: (_obj, msg) => errors.push(msg ?? "") },
  };
}

async function clientIdOf(client: RawClient): Promise<string> {
  const reply = await client.next((frame) => frame.type === "reply" && frame.id === 1);
  return (reply.result as { clientId: string }).clientId;
}

describe("lifecycle hooks", () => {
  it("reports connect, subscribe, unsubscribe and a clean disconnect", async () => {
    const { url, hub } = await startHub(AUTH);
    const connects = recordHubEvents(hub, "connect");
    const subscribes = recordHubEvents(hub, "subscribe");
    const unsubscribes = recordHubEvents(hub, "unsubscribe");
    const disconnect = nextHubEvent(hub, "disconnect");

    const client = new RawClient(url);
    const result = await client.connect({ token: await signToken("ada"), sessionId: "tabs-1" });
    expect(connects).toEqual([
      {
        clientId: result.clientId,
        sessionId: "tabs-1",
        userId: "ada",
        claims: expect.objectContaining({ sub: "ada" }),
        ip: "127.0.0.1",
        codec: "json",
      },
    ]);
    await client.request({ type: "subscribe", channel: "a:1" });
    await client.request({ type: "subscribe", channel: "a:2" });
    await client.request({ type: "subscribe", channel: "a:2", events: ["x"] }); // a replacement
    await client.request({ type: "unsubscribe", channel: "a:1" });
    expect(subscribes.map((info) => info.channel)).toEqual(["a:1", "a:2"]);
    expect(subscribes[0]!.client).toMatchObject({ clientId: result.clientId, userId: "ada" });
    expect(unsubscribes.map((info) => info.channel)).toEqual(["a:1"]);

    client.ws.close(1000);
    const info = await disconnect;
    expect(info).toMatchObject({ code: 1000, client: { clientId: result.clientId } });
    expect(info.reason).toBeUndefined();
    // Leaving ends the channels it still held, exactly those it had subscribed to.
    expect(unsubscribes.map((entry) => entry.channel)).toEqual(["a:1", "a:2"]);
  });

  it("reports a socket destroyed without a close handshake as 1006", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const client = await connected(url);
    const clientId = await clientIdOf(client);
    const disconnect = nextHubEvent(hub, "disconnect");
    client.ws.terminate();
    expect(await disconnect).toMatchObject({ code: 1006, client: { clientId } });
    expect(hub.clients()).toEqual([]);
  });

  it("does not report a disconnect for a connection that never connected", async () => {
    const { url, hub } = await startHub({ auth: { secret: TEST_SECRET } });
    const disconnects = recordHubEvents(hub, "disconnect");
    const refused = new RawClient(url);
    await refused.open();
    refused.send({ type: "connect", id: 1 });
    expect(await refused.waitClose()).toBe(4001); // unauthorized: no token
    const ok = await connected(url, { token: await signToken("ada") });
    const disconnect = nextHubEvent(hub, "disconnect");
    ok.ws.close(1000);
    await disconnect;
    expect(disconnects.map((info) => info.client.userId)).toEqual(["ada"]);
  });

  it("closes a client that does not answer pings with heartbeat_timeout", async () => {
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      heartbeat: { interval: 50, timeout: 100 },
    });
    const silent = new RawClient(url);
    silent.autoPong = false;
    const result = await silent.connect();
    expect(result.heartbeat).toEqual({ interval: 50, timeout: 100 });
    const disconnect = nextHubEvent(
      hub,
      "disconnect",
      (info) => info.client.clientId === result.clientId,
    );
    const alive = await connected(url);

    expect(await silent.waitClose()).toBe(4202);
    expect(await disconnect).toMatchObject({ code: 4202, reason: "heartbeat_timeout" });
    expect(silent.frames.some((frame) => frame.type === "ping")).toBe(true);
    // The client that answers has seen pings too and is still here.
    await alive.next((frame) => frame.type === "ping");
    expect((await alive.request({ type: "ping" })).result).toEqual({});
    expect(alive.closeCode).toBeUndefined();
  });

  it("keeps the hub working when a listener throws", async () => {
    const { logger, errors } = errorLog();
    const { url, hub } = await startHub({ ...OPEN_POLICY, logger });
    const boom = () => {
      throw new Error("listener bug");
    };
    hub.on("connect", boom);
    hub.on("subscribe", boom);
    hub.on("unsubscribe", boom);
    hub.on("disconnect", boom);
    const connects = recordHubEvents(hub, "connect");

    const client = await connected(url);
    expect(connects).toHaveLength(1); // later listeners still run
    expect((await client.request({ type: "subscribe", channel: "a:1" })).error).toBeUndefined();
    await hub.publish("a:1", "x", {});
    await client.next((frame) => frame.type === "event");
    expect((await client.request({ type: "unsubscribe", channel: "a:1" })).error).toBeUndefined();
    const disconnect = nextHubEvent(hub, "disconnect");
    client.ws.close(1000);
    await disconnect;
    await connected(url);
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });
});

describe("closing clients from the server", () => {
  it("hub.disconnect({userId}) closes every connection of that user with 4003", async () => {
    const { url, hub } = await startHub(AUTH);
    const ada = await signToken("ada");
    const one = await connected(url, { token: ada });
    const two = await connected(url, { token: ada });
    const bob = await connected(url, { token: await signToken("bob") });
    const adaIds = [await clientIdOf(one), await clientIdOf(two)];
    const gone = adaIds.map((id) =>
      nextHubEvent(hub, "disconnect", (info) => info.client.clientId === id),
    );

    expect(hub.disconnect({ userId: "ada" })).toBe(2);
    expect(await one.waitClose()).toBe(4003);
    expect(await two.waitClose()).toBe(4003);
    for (const info of await Promise.all(gone)) {
      expect(info).toMatchObject({ code: 4003, reason: "disconnected", client: { userId: "ada" } });
    }
    expect((await bob.request({ type: "ping" })).result).toEqual({});
    expect(bob.closeCode).toBeUndefined();
    expect(hub.disconnect({ userId: "nobody-here" })).toBe(0);
  });

  it("hub.disconnect by clientId and sessionId", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const a = new RawClient(url);
    const { sessionId } = await a.connect();
    const b = await connected(url, { sessionId });
    const c = new RawClient(url);
    const { clientId } = await c.connect();
    expect(hub.disconnect({ clientId: clientId as string })).toBe(1);
    expect(await c.waitClose()).toBe(4003);
    expect(hub.disconnect({ sessionId: sessionId as string })).toBe(2);
    expect(await a.waitClose()).toBe(4003);
    expect(await b.waitClose()).toBe(4003);
  });

  it("hub.close() closes clients with server_shutting_down and refuses new upgrades", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const a = await connected(url);
    const b = await connected(url);
    await a.request({ type: "subscribe", channel: "a:1" });
    const disconnects = recordHubEvents(hub, "disconnect");
    expect(hub.ready()).toBe(true);

    await hub.close();
    expect(a.closeCode).toBe(4200);
    expect(b.closeCode).toBe(4200);
    expect(disconnects.map((info) => info.reason)).toEqual([
      "server_shutting_down",
      "server_shutting_down",
    ]);
    expect(hub.ready()).toBe(false);
    expect(hub.stats().connections).toBe(0);
    const answer = await refusedUpgrade(url);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: "server_shutting_down" } });
  });

  it("closes a client whose token expires with token_expired, unless it refreshed", async () => {
    const { url, hub } = await startHub({ ...AUTH, heartbeat: { interval: 200, timeout: 1000 } });
    const exp = Math.floor(Date.now() / 1000) + 2; // expires in 1 to 2 seconds
    const token = await signToken("ada", {}, { exp });
    const expiring = new RawClient(url);
    const result = await expiring.connect({ token });
    expect(result.expiresAt).toBe(exp * 1000);
    const refreshing = await connected(url, { token });
    const refreshed = await refreshing.request({
      type: "refresh",
      token: await signToken("ada", {}, { exp: exp + 60 }),
    });
    expect(refreshed.result).toEqual({ expiresAt: (exp + 60) * 1000 });
    const disconnect = nextHubEvent(hub, "disconnect");

    expect(await expiring.waitClose()).toBe(4203);
    expect(await disconnect).toMatchObject({ code: 4203, reason: "token_expired" });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect((await refreshing.request({ type: "ping" })).result).toEqual({});
    expect(refreshing.closeCode).toBeUndefined();
  });
});

describe("introspection", () => {
  it("stats(), channels() and clients() report this node's figures", async () => {
    const { url, hub } = await startHub(AUTH);
    const base = hub.stats();
    expect(base).toMatchObject({ connections: 0, channels: 0, subscriptions: 0, queuedBytes: 0 });

    const ada = new RawClient(url);
    const adaResult = await ada.connect({ token: await signToken("ada"), sessionId: "s-ada" });
    const anon = new RawClient(url, { codec: "msgpack" });
    const anonResult = await anon.connect();
    const connectedStats = hub.stats();
    expect(connectedStats.connections).toBe(2);

    await ada.request({ type: "subscribe", channel: "a:1" });
    await ada.request({ type: "subscribe", channel: "a:2" });
    await anon.request({ type: "subscribe", channel: "a:1" });
    const subscribed = hub.stats();
    expect(subscribed.channels - connectedStats.channels).toBe(2);
    expect(subscribed.subscriptions - connectedStats.subscriptions).toBe(3);
    const channels = hub.channels();
    expect(channels).toEqual(
      expect.arrayContaining([
        { channel: "a:1", subscribers: 2 },
        { channel: "a:2", subscribers: 1 },
      ]),
    );
    expect(channels.find((entry) => entry.channel === "a:3")).toBeUndefined();

    expect(hub.clients()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          clientId: adaResult.clientId,
          sessionId: "s-ada",
          userId: "ada",
          codec: "json",
        }),
        expect.objectContaining({ clientId: anonResult.clientId, userId: null, codec: "msgpack" }),
      ]),
    );
    expect(hub.clients()).toHaveLength(2);

    const publishedBefore = hub.stats().published.total;
    await hub.publish("a:1", "x", {});
    await hub.publish("a:2", "x", {});
    await ada.next((frame) => frame.type === "event" && frame.channel === "a:2");
    const after = hub.stats();
    expect(after.published.total - publishedBefore).toBe(2);
    expect(after.messagesIn.total).toBeGreaterThanOrEqual(5); // 2 connects + 3 subscribes
    expect(after.messagesOut.total).toBeGreaterThanOrEqual(8); // 5 replies + 3 events

    const disconnect = nextHubEvent(hub, "disconnect");
    anon.ws.close(1000);
    await disconnect;
    expect(hub.stats().connections).toBe(1);
    expect(hub.channels()).toEqual(
      expect.arrayContaining([
        { channel: "a:1", subscribers: 1 },
        { channel: "a:2", subscribers: 1 },
      ]),
    );
    expect(hub.clients().map((client) => client.clientId)).toEqual([adaResult.clientId]);

    const last = nextHubEvent(hub, "disconnect");
    ada.ws.close(1000);
    await last;
    expect(hub.stats()).toMatchObject({ connections: 0, channels: 0, subscriptions: 0 });
    expect(hub.channels()).toEqual([]);
  });
});

describe("RPC", () => {
  it("gives handlers the calling client, and sends their errors as codes", async () => {
    const { url, hub } = await startHub(AUTH);
    hub.rpc("whoami", (data, context) => ({
      userId: context.client.userId,
      sessionId: context.client.sessionId,
      method: context.method,
      echo: data,
    }));
    hub.rpc("guarded", (_data, context) => {
      if (context.client.userId !== "root") throw new SwitchyardError("forbidden", "root only");
      return "ok";
    });
    hub.rpc("broken", () => {
      throw new Error("secret internals");
    });
    const ada = await connected(url, { token: await signToken("ada"), sessionId: "s-1" });

    const whoami = await ada.request({ type: "rpc", method: "whoami", data: { n: 1 } });
    expect(whoami.result).toEqual({
      userId: "ada",
      sessionId: "s-1",
      method: "whoami",
      echo: { n: 1 },
    });
    const anon = await connected(url);
    const anonymous = await anon.request({ type: "rpc", method: "whoami" });
    expect(anonymous.result).toMatchObject({ userId: null });

    const guarded = await ada.request({ type: "rpc", method: "guarded" });
    expect(guarded.error).toEqual({ code: "forbidden", message: "root only" });
    const broken = await ada.request({ type: "rpc", method: "broken" });
    expect(broken.error).toMatchObject({ code: "internal_error" });
    expect(JSON.stringify(broken.error)).not.toContain("secret internals");
    const missing = await ada.request({ type: "rpc", method: "nope" });
    expect(missing.error).toMatchObject({ code: "method_not_found" });
    expect(ada.closeCode).toBeUndefined();
  });
});
