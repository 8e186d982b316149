import { closeCodeOf, ERROR_CODES } from "@switchyard/protocol";
import { Hono } from "hono";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApi, type HttpApiOptions } from "../src/http/http-api.js";
import type { Hub, HubOptions, Logger } from "../src/index.js";
import { connected, type RawClient, startHub } from "./helpers/fixtures.js";

const API_KEY = "test-api-key-0123456789";
const SECRET = "a-test-secret-of-at-least-thirty-two-bytes";
const DISCONNECTED = closeCodeOf("disconnected");
const AUTH = { authorization: `Bearer ${API_KEY}` };

const HUB_OPTIONS: HubOptions = {
  allowAnonymous: true,
  auth: { secret: SECRET },
  namespaces: {
    "": { subscribe: "anyone", history: { size: 100 } },
    news: { subscribe: "anyone", publish: "nobody", history: { size: 100 } },
    job: { subscribe: "anyone", history: { size: 100 } },
    live: { subscribe: "anyone", history: false },
    score: {
      subscribe: "anyone",
      events: { goal: z.object({ team: z.string(), minute: z.number() }) },
    },
  },
  defaultNamespace: null,
};

function token(sub: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));
}

/** The clientId from the connect reply of a client made by `connected`. */
function clientIdOf(client: RawClient): string {
  const reply = client.frames.find((frame) => frame.type === "reply" && frame.id === 1);
  const clientId = (reply?.result as { clientId?: unknown } | undefined)?.clientId;
  if (typeof clientId !== "string") throw new Error("the client has no connect result");
  return clientId;
}

/** A logger that keeps what it was given, to check what the server logs. */
function recordingLogger(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: (...args) => errors.push(args), errors };
}

async function setup(options: Partial<HttpApiOptions> = {}) {
  const fixture = await startHub(HUB_OPTIONS);
  const api = createHttpApi(fixture.hub, { apiKey: API_KEY, ...options });
  const call = async (method: string, path: string, body?: unknown, headers = AUTH) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const response = await api.request(path, init);
    return { status: response.status, headers: response.headers, json: await response.json() };
  };
  return { ...fixture, api, call };
}

function expectError(
  response: { status: number; json: { error?: { code: string; details?: unknown } } },
  status: number,
  code: string,
  field?: string,
) {
  expect(response.status).toBe(status);
  expect(response.json.error?.code).toBe(code);
  if (field !== undefined) expect(response.json.error?.details).toMatchObject({ field });
}

describe("authentication", () => {
  it("rejects every route without an API key, with a wrong one, and with another scheme", async () => {
    const { api, call } = await setup();
    const routes = api.routes.filter((r) => r.method !== "ALL" && r.path !== "/api/openapi.json");
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes) {
      const path = route.path.replace(":channel", "news");
      const missing = await call(route.method, path, undefined, {} as typeof AUTH);
      expectError(missing, 401, "api_key_required");
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const wrong = await call(route.method, path, undefined, { authorization: "Bearer nope" });
      expectError(wrong, 401, "api_key_invalid");
      const longer = await call(route.method, path, undefined, {
        authorization: `Bearer ${API_KEY}x`,
      });
      expectError(longer, 401, "api_key_invalid");
      const basic = await call(route.method, path, undefined, {
        authorization: `Basic ${API_KEY}`,
      });
      expectError(basic, 401, "api_key_required");
    }
  });

  it("reads the scheme in any case, and any run of spaces or tabs around the key", async () => {
    const { call } = await setup();
    for (const authorization of [
      `bearer ${API_KEY}`,
      `BEARER  ${API_KEY}`,
      `Bearer\t${API_KEY} `,
    ]) {
      const response = await call("GET", "/api/channels", undefined, { authorization });
      expect(response.status, authorization).toBe(200);
    }
    for (const authorization of [
      `Bearer${API_KEY}`,
      `Bearer ${API_KEY} extra`,
      `Token ${API_KEY}`,
    ]) {
      const response = await call("GET", "/api/channels", undefined, { authorization });
      expect(response.status, authorization).toBe(401);
    }
  });

  it("refuses to build without an API key", async () => {
    const { hub } = await startHub(HUB_OPTIONS);
    expect(() => createHttpApi(hub, { apiKey: "" })).toThrow(/apiKey/);
  });
});

describe("GET /api/openapi.json", () => {
  it("is public and describes every route of the app with its errors", async () => {
    const { api } = await setup();
    const direct = await api.request("http://hub.test/api/openapi.json");
    expect(direct.status).toBe(200);
    const doc = (await direct.json()) as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: { ErrorCode: { enum: string[] } } };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]?.url).toBe("http://hub.test");
    expect(doc.components.schemas.ErrorCode.enum).toEqual(ERROR_CODES);
    for (const route of api.routes.filter((r) => r.method !== "ALL")) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      if (path !== "/api/openapi.json") {
        expect(Object.keys(operation?.responses ?? {})).toEqual(
          expect.arrayContaining(["200", "401", "500"]),
        );
      }
    }
  });

  it("names the prefix it is mounted under as its server", async () => {
    const { api } = await setup();
    const outer = new Hono();
    outer.route("/hub", api);
    const response = await outer.request("http://hub.test/hub/api/openapi.json");
    const doc = (await response.json()) as { servers: { url: string }[] };
    expect(doc.servers).toEqual([{ url: "http://hub.test/hub" }]);
  });
});

describe("POST /api/publish", () => {
  it("publishes one event as the server (client publish is 'nobody' on news)", async () => {
    const { url, call } = await setup();
    const subscriber = await connected(url);
    await subscriber.request({ type: "subscribe", channel: "news" });
    const response = await call("POST", "/api/publish", {
      channel: "news",
      event: "headline",
      data: { title: "Hello" },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ offset: 1, epoch: expect.any(String) });
    const event = await subscriber.next((f) => f.type === "event" && f.channel === "news");
    expect(event).toMatchObject({ event: "headline", data: { title: "Hello" }, offset: 1 });
  });

  it("publishes an array in order and returns one result per item", async () => {
    const { url, call } = await setup();
    const subscriber = await connected(url);
    await subscriber.request({ type: "subscribe", channel: "job:1" });
    const items = [1, 2, 3].map((step) => ({ channel: "job:1", event: "step", data: { step } }));
    const response = await call("POST", "/api/publish", items);
    expect(response.status).toBe(200);
    expect(response.json.results.map((r: { offset: number }) => r.offset)).toEqual([1, 2, 3]);
    await subscriber.next((f) => f.type === "event" && f.offset === 3);
    expect(subscriber.events("job:1").map((f) => (f.data as { step: number }).step)).toEqual([
      1, 2, 3,
    ]);
  });

  it("delivers a retried publish with the same idempotency key once", async () => {
    const { call } = await setup();
    const body = { channel: "job:2", event: "done", data: 1, idempotencyKey: "job-2-done" };
    const first = await call("POST", "/api/publish", body);
    const second = await call("POST", "/api/publish", body);
    expect(first.json).toEqual({ offset: 1, epoch: expect.any(String), duplicate: false });
    expect(second.json).toEqual({ ...first.json, duplicate: true });
    const unkeyed = await call("POST", "/api/publish", { channel: "job:2", event: "more" });
    expect(unkeyed.json).toEqual({ offset: 2, epoch: first.json.epoch });
    const history = await call("GET", "/api/channels/job%3A2/history");
    expect(history.json.events).toHaveLength(2);
  });

  it("rejects malformed JSON, empty bodies and bodies that are not objects", async () => {
    const { call } = await setup();
    expectError(await call("POST", "/api/publish", "{not json"), 400, "invalid_body");
    expectError(await call("POST", "/api/publish", ""), 400, "invalid_body");
    expectError(await call("POST", "/api/publish", "42"), 400, "invalid_body");
    expectError(await call("POST", "/api/publish", "[]"), 400, "invalid_body");
  });

  it("names the bad field", async () => {
    const { call } = await setup();
    // The shape is `invalid_body` (400); a refused value of the right type has its own code.
    const cases: [unknown, number, string, string][] = [
      [{ event: "e" }, 400, "invalid_body", "channel"],
      [{ channel: 7, event: "e" }, 400, "invalid_body", "channel"],
      [{ channel: "news" }, 400, "invalid_body", "event"],
      [{ channel: "news", event: ["e"] }, 400, "invalid_body", "event"],
      [{ channel: "news", event: "has space" }, 422, "invalid_data", "event"],
      [{ channel: "news", event: "e", idempotencyKey: 5 }, 400, "invalid_body", "idempotencyKey"],
      [{ channel: "news", event: "e", idempotencyKey: "" }, 422, "invalid_data", "idempotencyKey"],
      [
        { channel: "news", event: "e", idempotency_key: "k" },
        400,
        "invalid_body",
        "idempotency_key",
      ],
      [{ channel: "bad channel", event: "e" }, 400, "invalid_channel", "channel"],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await call("POST", "/api/publish", body);
      expectError(response, status, code, field);
      expect(response.json.error.message).toContain(field);
    }
  });

  it("validates a whole array before publishing any of it", async () => {
    const { call } = await setup();
    const response = await call("POST", "/api/publish", [
      { channel: "job:3", event: "ok" },
      { channel: "job:3", event: 12 },
    ]);
    expectError(response, 400, "invalid_body", "[1].event");
    const history = await call("GET", "/api/channels/job%3A3/history");
    expect(history.json.events).toEqual([]);
  });

  it("limits an array to 100 events", async () => {
    const { call } = await setup();
    const items = Array.from({ length: 101 }, () => ({ channel: "job:4", event: "e" }));
    expectError(await call("POST", "/api/publish", items), 400, "invalid_body");
  });

  it("maps the hub's refusals to their codes and stops an array at the refused item", async () => {
    const { call } = await setup();
    const unknown = await call("POST", "/api/publish", { channel: "nowhere:1", event: "e" });
    expectError(unknown, 404, "unknown_namespace");
    const badData = await call("POST", "/api/publish", {
      channel: "score:final",
      event: "goal",
      data: { team: "A", minute: "ninety" },
    });
    expectError(badData, 422, "invalid_data");
    const batch = await call("POST", "/api/publish", [
      { channel: "job:5", event: "first" },
      { channel: "score:final", event: "not-declared" },
      { channel: "job:5", event: "third" },
    ]);
    expectError(batch, 422, "unknown_event", "[1]");
    expect(batch.json.error.details).toMatchObject({ index: 1, published: [{ offset: 1 }] });
    const history = await call("GET", "/api/channels/job%3A5/history");
    expect(history.json.events.map((e: { event: string }) => e.event)).toEqual(["first"]);
  });

  it("answers 413 message_too_large above the body limit, with or without Content-Length", async () => {
    const { api, call } = await setup({ maxBodyBytes: 1024 });
    const big = { channel: "news", event: "e", data: "x".repeat(2000) };
    expectError(await call("POST", "/api/publish", big), 413, "message_too_large");
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 256) controller.enqueue(bytes.slice(i, i + 256));
        controller.close();
      },
    });
    const response = await api.request("/api/publish", {
      method: "POST",
      headers: AUTH,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "message_too_large",
    );
    const small = await call("POST", "/api/publish", { channel: "news", event: "e", data: "ok" });
    expect(small.status).toBe(200);
  });

  it("uses a 1 MiB limit by default", async () => {
    const { call } = await setup();
    const data = "x".repeat(1_048_576);
    expectError(
      await call("POST", "/api/publish", { channel: "news", event: "e", data }),
      413,
      "message_too_large",
    );
  });
});

describe("POST /api/send", () => {
  it("sends to one client, one session, one user and everyone", async () => {
    const { url, call } = await setup();
    const alice1 = await connected(url, { token: await token("alice") });
    const alice2 = await connected(url, { token: await token("alice") });
    const bob = await connected(url, { token: await token("bob"), sessionId: "bob-laptop" });
    const eventNamed = (name: string) => (f: { type: string; event?: unknown }) =>
      f.type === "event" && f.event === name;

    const toUser = await call("POST", "/api/send", {
      to: { userId: "alice" },
      event: "notice",
      data: { text: "export ready" },
    });
    expect(toUser.status).toBe(200);
    expect(toUser.json).toMatchObject({ offset: expect.any(Number) });
    for (const client of [alice1, alice2]) {
      const event = await client.next(eventNamed("notice"));
      expect(event).toMatchObject({ channel: "$user:alice", data: { text: "export ready" } });
    }

    await call("POST", "/api/send", { to: { sessionId: "bob-laptop" }, event: "tab" });
    expect(await bob.next(eventNamed("tab"))).toMatchObject({ channel: "$session:bob-laptop" });

    const alice1Id = clientIdOf(alice1);
    await call("POST", "/api/send", { to: { clientId: alice1Id }, event: "only-you", data: 1 });
    expect(await alice1.next(eventNamed("only-you"))).toMatchObject({ data: 1 });

    await call("POST", "/api/send", { to: "everyone", event: "maintenance", data: "soon" });
    for (const client of [alice1, alice2, bob]) {
      expect(await client.next(eventNamed("maintenance"))).toMatchObject({ data: "soon" });
    }
    // Targeted events reached only their targets (checked after the broadcast arrived).
    expect(alice2.events().some((f) => f.event === "only-you")).toBe(false);
    expect(bob.events().some((f) => f.event === "notice")).toBe(false);
  });

  it("names the bad field of the target", async () => {
    const { call } = await setup();
    const cases: [unknown, string][] = [
      [{ event: "e" }, "to"],
      [{ to: {}, event: "e" }, "to"],
      [{ to: { userId: "a", clientId: "b" }, event: "e" }, "to"],
      [{ to: { userId: 5 }, event: "e" }, "to.userId"],
      [{ to: { roomId: "x" }, event: "e" }, "to.roomId"],
      [{ to: "everyone" }, "event"],
      [{ to: "everyone", event: "e", extra: 1 }, "extra"],
    ];
    for (const [body, field] of cases) {
      expectError(await call("POST", "/api/send", body), 400, "invalid_body", field);
    }
    // Values of the right type that are refused.
    const refused: [unknown, string][] = [
      [{ to: "all", event: "e" }, "to"],
      [{ to: { userId: "has space" }, event: "e" }, "to.userId"],
    ];
    for (const [body, field] of refused) {
      expectError(await call("POST", "/api/send", body), 422, "invalid_data", field);
    }
  });
});

describe("GET /api/channels", () => {
  it("lists channels with their subscriber counts on this node", async () => {
    const { url, call } = await setup();
    const a = await connected(url);
    const b = await connected(url);
    await a.request({ type: "subscribe", channel: "news" });
    await b.request({ type: "subscribe", channel: "news" });
    await b.request({ type: "subscribe", channel: "job:9" });
    const response = await call("GET", "/api/channels");
    expect(response.status).toBe(200);
    expect(response.json.channels).toEqual(
      expect.arrayContaining([
        { channel: "news", subscribers: 2 },
        { channel: "job:9", subscribers: 1 },
      ]),
    );
  });
});

describe("GET /api/channels/:channel/history", () => {
  it("returns the position and a page of events, with after and limit", async () => {
    const { call } = await setup();
    for (const n of [1, 2, 3]) {
      await call("POST", "/api/publish", { channel: "job:a/b", event: "n", data: n });
    }
    const path = `/api/channels/${encodeURIComponent("job:a/b")}/history`;
    const all = await call("GET", path);
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ epoch: expect.any(String), offset: 3 });
    expect(all.json.events.map((e: { data: number }) => e.data)).toEqual([1, 2, 3]);
    expect(all.json.events[0]).toMatchObject({ channel: "job:a/b", event: "n", offset: 1 });
    const after = await call("GET", `${path}?after=1`);
    expect(after.json.events.map((e: { offset: number }) => e.offset)).toEqual([2, 3]);
    const newest = await call("GET", `${path}?limit=1`);
    expect(newest.json.events.map((e: { offset: number }) => e.offset)).toEqual([3]);
  });

  it("rejects bad parameters and channels, and channels without history", async () => {
    const { call } = await setup();
    // Not an integer is the wrong type; an integer out of range a refused value.
    const cases: [string, number, string, string][] = [
      ["after=x", 400, "invalid_body", "after"],
      ["after=1.5", 400, "invalid_body", "after"],
      ["after=-1", 422, "invalid_data", "after"],
      ["limit=ten", 400, "invalid_body", "limit"],
      ["limit=0", 422, "invalid_data", "limit"],
      ["limit=1001", 422, "invalid_data", "limit"],
    ];
    for (const [query, status, code, field] of cases) {
      const response = await call("GET", `/api/channels/news/history?${query}`);
      expectError(response, status, code, field);
    }
    expectError(await call("GET", "/api/channels/bad%20name/history"), 400, "invalid_channel");
    expectError(await call("GET", "/api/channels/nowhere%3A1/history"), 404, "unknown_namespace");
    expectError(await call("GET", "/api/channels/live%3A1/history"), 404, "not_found");
  });
});

describe("POST /api/disconnect", () => {
  it("closes the matching clients with 'disconnected' and counts them", async () => {
    const { url, call } = await setup();
    const alice1 = await connected(url, { token: await token("alice") });
    const alice2 = await connected(url, { token: await token("alice") });
    const carol = await connected(url, { token: await token("carol") });
    const response = await call("POST", "/api/disconnect", { userId: "alice" });
    expect(response).toMatchObject({ status: 200, json: { disconnected: 2 } });
    expect(await alice1.waitClose()).toBe(DISCONNECTED);
    expect(await alice2.waitClose()).toBe(DISCONNECTED);
    const none = await call("POST", "/api/disconnect", { userId: "nobody-here" });
    expect(none.json).toEqual({ disconnected: 0 });
    expect(carol.closeCode).toBeUndefined();
    const carolId = clientIdOf(carol);
    expect((await call("POST", "/api/disconnect", { clientId: carolId })).json).toEqual({
      disconnected: 1,
    });
    expect(await carol.waitClose()).toBe(DISCONNECTED);
  });

  it("needs exactly one valid id", async () => {
    const { call } = await setup();
    expectError(await call("POST", "/api/disconnect", {}), 400, "invalid_body", "");
    expectError(
      await call("POST", "/api/disconnect", { userId: "a", sessionId: "b" }),
      400,
      "invalid_body",
    );
    expectError(
      await call("POST", "/api/disconnect", { userId: 1 }),
      400,
      "invalid_body",
      "userId",
    );
    expectError(await call("POST", "/api/disconnect", "nope"), 400, "invalid_body");
  });
});

describe("errors", () => {
  it("answers unknown routes with JSON not_found", async () => {
    const { call } = await setup();
    expectError(await call("GET", "/api/nope"), 404, "not_found");
    expectError(await call("GET", "/elsewhere"), 404, "not_found");
    expectError(await call("DELETE", "/api/publish"), 404, "not_found");
  });

  it("answers an unexpected failure with internal_error, logs it and hides its message", async () => {
    const { hub } = await startHub(HUB_OPTIONS);
    const logger = recordingLogger();
    // Fault injection: the real hub, except that listing channels fails unexpectedly.
    const failing = new Proxy(hub, {
      get(target, key) {
        if (key === "channels") {
          return () => {
            throw new Error("database password is hunter2");
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Hub;
    const api = createHttpApi(failing, { apiKey: API_KEY, logger });
    const response = await api.request("/api/channels", { headers: AUTH });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal_error" } });
    expect(text).not.toContain("hunter2");
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]?.[0]).toMatchObject({
      err: expect.objectContaining({ message: expect.stringContaining("hunter2") }),
    });
  });
});
