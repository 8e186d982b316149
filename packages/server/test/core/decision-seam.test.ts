/**
 * The decision seams of `FeatureHost`: a feature deciding connects (`authenticate`, with the
 * connect frame's `data` and `sdk` and allowlisted headers and cookies), guarding subscribes
 * and publishes, answering RPC method patterns, and extending a connection's life (`refresh`).
 */
import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { ConnectRequest, Feature, FeatureHost, SubscriptionInfo } from "../../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "../helpers/fixtures.js";
import { nextHubEvent } from "../helpers/hub-events.js";

/** A feature that does whatever `install` says, for one test. */
function feature(install: (host: FeatureHost) => void): Feature<void> {
  return { name: "decider", install };
}

describe("host.authenticate", () => {
  it("decides a connect from its data, sdk, allowlisted headers and cookies only", async () => {
    const seen: ConnectRequest[] = [];
    const { url, hub } = await startHub({ namespaces: { room: { subscribe: "authenticated" } } });
    hub.use(
      feature((host) =>
        host.authenticate(
          (request) => {
            seen.push(request);
            return { userId: "ada", info: { name: "Ada" }, meta: { plan: "pro" } };
          },
          { headers: ["X-Tenant"], cookies: ["session"] },
        ),
      ),
    );
    const client = new RawClient(url, {
      headers: { "x-tenant": "acme", "x-secret": "no", cookie: "other=1; session=s%201" },
    });
    const result = await client.connect({ data: { room: 7 }, sdk: "py/1.0" });
    expect(result).toMatchObject({ userId: "ada" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      data: { room: 7 },
      sdk: "py/1.0",
      headers: { "x-tenant": "acme" },
      cookies: { session: "s 1" },
      token: undefined,
    });
    expect(Object.keys(seen[0]?.headers ?? {})).toEqual(["x-tenant"]);
    expect(Object.keys(seen[0]?.cookies ?? {})).toEqual(["session"]);
    expect(hub.clients()[0]).toMatchObject({
      userId: "ada",
      info: { name: "Ada" },
      meta: { plan: "pro" },
    });
  });

  it("leaves the connect to the JWT check when it answers undefined, and refuses by throwing", async () => {
    const { url, hub } = await startHub({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone" },
    });
    hub.use(
      feature((host) =>
        host.authenticate((request) => {
          if (request.data === "pass") return undefined;
          throw new SwitchyardError("backend_error", "No session", { code: 1001 });
        }),
      ),
    );
    const anonymous = await connected(url, { data: "pass" });
    expect(anonymous.frames.at(-1)).toMatchObject({ result: { userId: null } });

    const refused = new RawClient(url);
    await refused.open();
    const reply = await refused.request({ type: "connect", data: "other" });
    expect(reply.error).toMatchObject({ code: "backend_error", message: "No session" });
    expect(await refused.waitClose()).toBe(closeCodeOf("backend_error"));
  });

  it("joins the channels of the identity at connect", async () => {
    const { url, hub } = await startHub({ defaultNamespace: { subscribe: "nobody" } });
    hub.use(feature((host) => host.authenticate(() => ({ userId: "ada", channels: ["sim:42"] }))));
    const client = await connected(url);
    expect(client.frames.at(-1)).toMatchObject({
      result: { channels: { "sim:42": { offset: 0 } } },
    });
    await hub.publish("sim:42", "progress", { percent: 5 });
    const event = await client.next(
      (frame) => frame.type === "event" && frame.channel === "sim:42",
    );
    expect(event).toMatchObject({ event: "progress", data: { percent: 5 } });
  });

  it("refuses an identity that would join a personal channel", async () => {
    const { url, hub } = await startHub({ defaultNamespace: { subscribe: "nobody" } });
    hub.use(
      feature((host) => host.authenticate(() => ({ userId: "ada", channels: ["$user:bob"] }))),
    );
    const client = new RawClient(url);
    await client.open();
    const reply = await client.request({ type: "connect" });
    expect(reply.error).toMatchObject({ code: "internal_error" });
    expect(hub.clients()).toEqual([]);
  });

  it("extends the connection at expiresAt through refresh, and closes it when refresh refuses", async () => {
    const { url, hub } = await startHub({
      defaultNamespace: { subscribe: "anyone" },
      heartbeat: { interval: 40, timeout: 1_000 },
    });
    let refreshes = 0;
    hub.use(
      feature((host) =>
        host.authenticate(() => ({
          userId: "ada",
          expiresAt: Date.now() + 50,
          refresh: async () => {
            refreshes++;
            if (refreshes === 1) return { expiresAt: Date.now() + 50 };
            throw new SwitchyardError("backend_error", "Session revoked");
          },
        })),
      ),
    );
    const client = await connected(url);
    expect(await client.waitClose()).toBe(closeCodeOf("backend_error"));
    expect(client.closeReason).toBe("Session revoked");
    expect(refreshes).toBe(2);
  });
});

describe("host.guardSubscribe and host.guardPublish", () => {
  it("refuses a subscribe, or allows it with info for the subscribe event", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    hub.use(
      feature((host) =>
        host.guardSubscribe(({ channel, namespace }) => {
          expect(namespace).toBe("room");
          if (channel === "room:closed") throw new SwitchyardError("forbidden", "Closed");
          return { info: { seat: 3 } };
        }),
      ),
    );
    const client = await connected(url);
    const refused = await client.request({ type: "subscribe", channel: "room:closed" });
    expect(refused.error).toMatchObject({ code: "forbidden", message: "Closed" });
    const subscribed = nextHubEvent(hub, "subscribe");
    const allowed = await client.request({ type: "subscribe", channel: "room:open" });
    expect(allowed.result).toMatchObject({ channel: "room:open" });
    expect((await subscribed) as SubscriptionInfo).toMatchObject({
      channel: "room:open",
      info: { seat: 3 },
    });
  });

  it("checks the namespace's own rule first: both must allow", async () => {
    let asked = 0;
    const { url, hub } = await startHub({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "nobody" },
    });
    hub.use(feature((host) => host.guardSubscribe(() => void asked++)));
    const client = await connected(url);
    const reply = await client.request({ type: "subscribe", channel: "room:a" });
    expect(reply.error).toMatchObject({ code: "forbidden" });
    expect(asked).toBe(0);
  });

  it("rewrites or refuses a client publish", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    hub.use(
      feature((host) =>
        host.guardPublish(({ event, data }) => {
          if (event === "bad") throw new SwitchyardError("backend_error", "Nope", { code: 1400 });
          return { data: { ...(data as object), checked: true } };
        }),
      ),
    );
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "chat:1" });
    const refused = await client.request({
      type: "publish",
      channel: "chat:1",
      event: "bad",
      data: {},
    });
    expect(refused.error).toMatchObject({ code: "backend_error", details: { code: 1400 } });
    await client.request({
      type: "publish",
      channel: "chat:1",
      event: "msg",
      data: { text: "hi" },
    });
    const event = await client.next((frame) => frame.type === "event");
    expect(event).toMatchObject({ event: "msg", data: { text: "hi", checked: true } });
    expect(client.events("chat:1")).toHaveLength(1);
  });
});

describe("host.rpcPattern", () => {
  it("answers the methods matching its patterns that no hub.rpc handler names", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    hub.rpc("sim.version", () => "own");
    hub.use(
      feature((host) =>
        host.rpcPattern(["sim.*", "job.x"], (data, { method }) => ({ method, data })),
      ),
    );
    const client = await connected(url);
    expect((await client.request({ type: "rpc", method: "sim.start", data: 1 })).result).toEqual({
      method: "sim.start",
      data: 1,
    });
    expect((await client.request({ type: "rpc", method: "sim.version" })).result).toBe("own");
    expect((await client.request({ type: "rpc", method: "simulate" })).error).toMatchObject({
      code: "method_not_found",
    });
    expect((await client.request({ type: "rpc", method: "job.xy" })).error).toMatchObject({
      code: "method_not_found",
    });
  });
});
