/**
 * The subscribe and publish proxies against a real HTTP backend: allow (with info, with
 * rewritten data), refuse with the backend's code, timeout, 5xx and garbage answers, and the
 * namespace filter.
 */
import { describe, expect, it } from "vitest";
import { connected, OPEN_POLICY, startHub } from "../../helpers/fixtures.js";
import { nextHubEvent } from "../../helpers/hub-events.js";
import { type Answer, type Received, TestBackend } from "./backend.js";

async function hubWith(answer: (r: Received) => Answer) {
  const backend = await TestBackend.start(answer);
  const fixture = await startHub({
    ...OPEN_POLICY,
    proxy: {
      subscribe: { url: `${backend.url}/subscribe`, namespaces: ["room", "chat"] },
      publish: { url: `${backend.url}/publish`, namespaces: ["chat"] },
    },
  });
  return { backend, ...fixture };
}

/** Answers by the channel's name part: `ok`, `info`, `no`, `hang`, `500`, `garbage`. */
function byName({ body }: Received): Answer {
  const name = String(body.channel).split(":")[1];
  switch (name) {
    case "info":
      return { json: { result: { info: { seat: 3 } } } };
    case "no":
      return { json: { error: { code: 1403, message: "Not your room" } } };
    case "hang":
      return { hang: true };
    case "500":
      return { status: 503 };
    case "garbage":
      return { json: ["not", "an", "object"] };
    default:
      return { json: { result: {} } };
  }
}

describe("the subscribe proxy", () => {
  it("allows, attaches info, refuses with the backend's code, and maps failures", async () => {
    const { url, hub, backend } = await hubWith(byName);
    const client = await connected(url);
    const subscribed = nextHubEvent(hub, "subscribe", (info) => info.channel === "room:info");
    expect(
      (await client.request({ type: "subscribe", channel: "room:info" })).result,
    ).toMatchObject({
      channel: "room:info",
    });
    expect(await subscribed).toMatchObject({ info: { seat: 3 } });
    const request = await backend.next((r) => r.body.channel === "room:info");
    expect(request.body).toMatchObject({
      channel: "room:info",
      namespace: "room",
      client: { clientId: expect.any(String), userId: null },
    });

    const cases: [string, Record<string, unknown>][] = [
      [
        "room:no",
        {
          code: "backend_error",
          message: "Not your room",
          details: { code: 1403, temporary: false },
        },
      ],
      ["room:hang", { code: "backend_timeout" }],
      ["room:500", { code: "backend_unavailable", details: { status: 503 } }],
      ["room:garbage", { code: "backend_invalid_answer" }],
    ];
    for (const [channel, error] of cases) {
      const reply = await client.request({ type: "subscribe", channel });
      expect(reply.error, channel).toMatchObject(error);
    }
    // The connection stays: a refused subscribe is a reply, not a close.
    expect((await client.request({ type: "subscribe", channel: "room:ok" })).result).toBeDefined();
    expect(client.closeCode).toBeUndefined();
  });

  it("asks only for the namespaces it is given", async () => {
    const { url, backend } = await hubWith(byName);
    const client = await connected(url);
    expect((await client.request({ type: "subscribe", channel: "other:no" })).result).toBeDefined();
    expect(backend.received).toHaveLength(0);
  });
});

describe("one hook per group of namespaces", () => {
  it("asks each namespace's own backend, with its own timeout", async () => {
    const rooms = await TestBackend.start(() => ({ json: { result: { info: "rooms" } } }));
    const sims = await TestBackend.start(() => ({ hang: true }));
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      proxy: {
        subscribe: [
          { url: `${rooms.url}/subscribe`, namespaces: ["room"] },
          { url: `${sims.url}/subscribe`, namespaces: ["sim"], timeout: 50 },
        ],
      },
    });
    const client = await connected(url);
    const subscribed = nextHubEvent(hub, "subscribe");
    await client.request({ type: "subscribe", channel: "room:1" });
    expect(await subscribed).toMatchObject({ channel: "room:1", info: "rooms" });
    const sim = await client.request({ type: "subscribe", channel: "sim:1" });
    expect(sim.error).toMatchObject({ code: "backend_timeout" });
    expect((await client.request({ type: "subscribe", channel: "other:1" })).error).toBeUndefined();
    expect(rooms.received.map((r) => r.body.channel)).toEqual(["room:1"]);
    expect(sims.received.map((r) => r.body.channel)).toEqual(["sim:1"]);
  });
});

describe("the publish proxy", () => {
  it("rewrites, passes or refuses a client publish", async () => {
    const { url, backend } = await hubWith(({ path, body }) => {
      if (path === "/subscribe") return { json: { result: {} } };
      if (body.event === "spam")
        return { json: { error: { code: 1429, message: "Slow down", temporary: true } } };
      if (body.event === "hang") return { hang: true };
      if (body.event === "crash") return { status: 500 };
      if (body.event === "garbage") return { json: { result: "yes" } };
      if (body.event === "pass") return { json: { result: {} } };
      return {
        json: {
          result: { data: { text: String((body.data as { text: string }).text).toUpperCase() } },
        },
      };
    });
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "chat:1" });
    const pass = await client.request({
      type: "publish",
      channel: "chat:1",
      event: "pass",
      data: { n: 1 },
    });
    expect(pass.error).toBeUndefined();
    await client.request({
      type: "publish",
      channel: "chat:1",
      event: "say",
      data: { text: "hi" },
    });
    const spam = await client.request({
      type: "publish",
      channel: "chat:1",
      event: "spam",
      data: {},
    });
    expect(spam.error).toMatchObject({
      code: "backend_error",
      details: { code: 1429, temporary: true },
    });
    const hang = await client.request({
      type: "publish",
      channel: "chat:1",
      event: "hang",
      data: {},
    });
    expect(hang.error).toMatchObject({ code: "backend_timeout" });
    await client.next(() => client.events("chat:1").length === 2);
    expect(client.events("chat:1").map((e) => [e.event, e.data])).toEqual([
      ["pass", { n: 1 }],
      ["say", { text: "HI" }],
    ]);
    const say = await backend.next((r) => r.body.event === "say");
    expect(say.body).toMatchObject({ channel: "chat:1", namespace: "chat", data: { text: "hi" } });
  });
});
