/**
 * The RPC proxy against a real HTTP backend (reply, refusal, timeout, 5xx, garbage, methods
 * outside the pattern), the per-backend concurrency cap, and bystanders: while the backend
 * hangs, other clients' publishes and RPCs keep flowing. Also the proxies' OpenAPI webhooks
 * and figures.
 */
import { describe, expect, it } from "vitest";
import { createHttpApi } from "../../../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "../../helpers/fixtures.js";
import { type Answer, type Received, TestBackend } from "./backend.js";

async function hubWith(answer: (r: Received) => Answer, concurrency?: number, rpcTimeout = 1_000) {
  const backend = await TestBackend.start(answer);
  const fixture = await startHub({
    ...OPEN_POLICY,
    proxy: {
      rpc: { url: `${backend.url}/rpc`, methods: ["sim.*", "app.ping"], timeout: rpcTimeout },
      connect: { url: `${backend.url}/connect`, timeout: 5_000 },
      concurrency,
    },
  });
  return { backend, ...fixture };
}

function byMethod({ path, body }: Received): Answer {
  if (path === "/connect") {
    return (body.data as { hang?: boolean } | null)?.hang
      ? { hang: true }
      : { json: { result: { userId: "ada" } } };
  }
  switch (body.method) {
    case "sim.start":
      return { json: { result: { data: { started: (body.data as { id: number }).id } } } };
    case "sim.refuse":
      return { json: { error: { code: 1409, message: "Already running" } } };
    case "sim.hang":
      return { hang: true };
    case "sim.crash":
      return { status: 500, text: "Traceback" };
    case "sim.garbage":
      return { text: "{not json" };
    default:
      return { json: { result: {} } };
  }
}

describe("the rpc proxy", () => {
  it("answers the matching methods from the backend, and maps refusals and failures", async () => {
    const { url, backend } = await hubWith(byMethod);
    const client = await connected(url);
    const started = await client.request({ type: "rpc", method: "sim.start", data: { id: 42 } });
    expect(started.result).toEqual({ started: 42 });
    const request = await backend.next((r) => r.path === "/rpc");
    expect(request.body).toMatchObject({
      method: "sim.start",
      data: { id: 42 },
      client: { userId: "ada" },
    });
    expect((await client.request({ type: "rpc", method: "app.ping" })).result).toBeNull();

    const cases: [string, Record<string, unknown>][] = [
      [
        "sim.refuse",
        { code: "backend_error", message: "Already running", details: { code: 1409 } },
      ],
      ["sim.hang", { code: "backend_timeout" }],
      ["sim.crash", { code: "backend_unavailable", details: { status: 500 } }],
      ["sim.garbage", { code: "backend_invalid_answer" }],
      ["other.method", { code: "method_not_found" }],
    ];
    for (const [method, error] of cases) {
      expect((await client.request({ type: "rpc", method })).error, method).toMatchObject(error);
    }
    // Nothing was retried: one request per call.
    expect(backend.received.filter((r) => r.body.method === "sim.hang")).toHaveLength(1);
    expect(client.closeCode).toBeUndefined();
  });

  it("refuses at once past the concurrency cap and its waiting line, without asking the backend", async () => {
    // The waiting calls time out after 1 s: long after the fifth is refused, however slow the
    // machine.
    const { url, backend } = await hubWith(byMethod, 2, 1_000);
    const client = await connected(url);
    // 2 in flight, 2 waiting: the fifth is refused at once, before any of them timed out.
    const calls = Array.from({ length: 5 }, (_, n) =>
      client.request({ type: "rpc", method: "sim.hang", data: { n } }),
    );
    const fifth = await Promise.race(calls.map((call, index) => call.then(() => index)));
    expect(fifth).toBe(4);
    expect((await calls[4])?.error).toMatchObject({
      code: "backend_unavailable",
      details: { reason: "overloaded" },
    });
    // The first two went to the backend at once; the refused fifth never does.
    await backend.next(() => backend.count("/rpc") === 2);
    const sent = () =>
      backend.received
        .filter((r) => r.path === "/rpc")
        .map((r) => (r.body.data as { n: number }).n);
    expect(sent().sort()).toEqual([0, 1]);
    const replies = await Promise.all(calls.slice(0, 4));
    for (const reply of replies) expect(reply.error).toMatchObject({ code: "backend_timeout" });
    expect(sent()).not.toContain(4);
  });
});

describe("a hanging backend and its bystanders", () => {
  it("keeps other clients' publishes and RPCs flowing while connects and RPCs hang", async () => {
    // The hanging calls time out after 2 s: long after the bystander's traffic, however slow
    // the machine.
    const { url, hub } = await hubWith(byMethod, undefined, 2_000);
    hub.rpc("local.echo", (data) => data);
    const bystander = await connected(url);
    await bystander.request({ type: "subscribe", channel: "chat:1" });
    // Clients whose connect hangs at the backend, and an RPC of the bystander that hangs.
    const stuck = Array.from({ length: 3 }, () => new RawClient(url));
    for (const client of stuck) {
      await client.open();
      client.send({ type: "connect", id: 1, data: { hang: true } });
    }
    // A new client's connect goes through beside the hanging ones.
    const late = await connected(url);
    expect(late.frames.at(-1)).toMatchObject({ result: { userId: "ada" } });
    let settled = false;
    const hanging = bystander.request({ type: "rpc", method: "sim.hang" });
    void hanging.then(() => {
      settled = true;
    });
    for (let i = 0; i < 20; i++) {
      const published = await bystander.request({
        type: "publish",
        channel: "chat:1",
        event: "say",
        data: { i },
      });
      expect(published.error).toBeUndefined();
      expect((await bystander.request({ type: "rpc", method: "local.echo", data: i })).result).toBe(
        i,
      );
    }
    await bystander.next(() => bystander.events("chat:1").length === 20);
    expect(bystander.events("chat:1").map((e) => (e.data as { i: number }).i)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    // The hanging RPC is still waiting: everything above went past it.
    expect(settled).toBe(false);
    expect((await hanging).error).toMatchObject({ code: "backend_timeout" });
    for (const client of stuck) expect(client.frames.filter((f) => f.type === "reply")).toEqual([]);
  });
});

describe("closing the hub", () => {
  it("aborts the requests still waiting for a backend", async () => {
    const { hub, url, backend } = await hubWith(byMethod, undefined, 60_000);
    const client = await connected(url);
    client.send({ type: "rpc", id: 99, method: "sim.hang" });
    const request = await backend.next((r) => r.body.method === "sim.hang");
    await hub.close({ timeout: 100 });
    // Without the abort this waits for the hook's 60 s timeout (and the test fails on its own).
    await request.gone;
    // The connect and the RPC; the abort is neither a timeout nor a failure of the backend.
    expect(hub.stats().features.proxy).toMatchObject({ calls: 2, timedOut: 0, failed: 0 });
  });
});

describe("the proxies' OpenAPI and figures", () => {
  it("describes every backend request as a webhook, and counts calls", async () => {
    const { url, hub } = await hubWith(byMethod);
    const client = await connected(url);
    await client.request({ type: "rpc", method: "sim.refuse" });
    const api = createHttpApi(hub, { apiKey: "proxy-test-key-0123456789" });
    const response = await api.request("/api/openapi.json");
    const document = (await response.json()) as {
      webhooks: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(document.webhooks).sort()).toEqual([
      "proxyConnect",
      "proxyPublish",
      "proxyRefresh",
      "proxyRpc",
      "proxySubscribe",
    ]);
    expect(document.components.schemas).toHaveProperty("ProxyConnectRequest");
    // Every reference of the webhooks names a schema of the document.
    const refs = JSON.stringify(document.webhooks).match(/#\/components\/schemas\/\w+/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(document.components.schemas, ref).toHaveProperty(ref.split("/").at(-1) as string);
    }
    expect(document.components.schemas).toHaveProperty("ProxyBackendError");
    expect(hub.stats().features.proxy).toMatchObject({ calls: 2, refused: 1, failed: 0 });
  });
});
