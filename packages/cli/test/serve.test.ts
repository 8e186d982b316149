import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { closeCodeOf } from "@switchyard/protocol";
import { createHub } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { createServerApp } from "../src/app.js";
import { type ConfigInput, resolveConfig, TRANSPORTS } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { createMetrics } from "../src/metrics.js";
import { hubOptionsOf, type ServerHandle, startServer } from "../src/serve.js";
import { onCleanup, refusedUpgrade, StalledClient, subscriber, WsClient } from "./helpers.js";

const API_KEY = "serve-test-key";

async function start(flags: ConfigInput = {}): Promise<ServerHandle> {
  const config = resolveConfig({
    flags: { port: 0, apiKey: API_KEY, allowAnonymous: true, shutdownTimeout: 1000, ...flags },
  });
  const handle = await startServer(config, { logger: createLogger("silent") });
  onCleanup(() => handle.close());
  return handle;
}

function publish(handle: ServerHandle, body: unknown, key = API_KEY): Promise<Response> {
  return fetch(`${handle.url}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

interface PlainAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request with headers `fetch` refuses to send (`Connection`, `Upgrade`). */
function plainRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<PlainAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on("error", reject);
    request.end();
  });
}

function errorCodeOf(answer: PlainAnswer): unknown {
  return (JSON.parse(answer.body) as { error: { code: unknown } }).error.code;
}

describe.each(TRANSPORTS)("the WebSocket path on the %s transport", (transport) => {
  it("refuses requests that ask for no upgrade as the refusal table says", async () => {
    const handle = await start({ transport });
    const websocket = { Upgrade: "websocket", "Sec-WebSocket-Version": "13" };
    const cases: Record<string, string>[] = [
      { ...websocket, Connection: "keep-alive" },
      { "Sec-WebSocket-Version": "13", Connection: "Upgrade" },
      websocket,
    ];
    for (const headers of cases) {
      const answer = await plainRequest(handle.wsUrl.replace("ws:", "http:"), "GET", headers);
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(errorCodeOf(answer)).toBe("invalid_upgrade");
    }
    const post = await plainRequest(`${handle.url}/ws`, "POST", {});
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET");
    expect(errorCodeOf(post)).toBe("method_not_allowed");
    // A path of the hub's HTTP side stays the app's.
    expect((await plainRequest(`${handle.url}/healthz`, "GET", websocket)).status).toBe(200);
  });

  it("keeps listening while it drains: upgrades 503, /readyz 503, /healthz 200", async () => {
    const handle = await start({ transport, shutdownTimeout: 30_000 });
    const stalled = await StalledClient.open(handle.wsUrl);
    const closed = handle.close();
    // The hub closed the client, which holds the drain open by never answering.
    expect(await stalled.closeFrame).toBe(closeCodeOf("server_shutting_down"));
    const [ready, health, upgrade] = await Promise.all([
      fetch(`${handle.url}/readyz`),
      fetch(`${handle.url}/healthz`),
      refusedUpgrade(handle.wsUrl),
    ]);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "not_ready" });
    expect(health.status).toBe(200);
    expect(upgrade).toEqual({ status: 503, code: "server_shutting_down" });
    // The drain ends with the last client; then the listener closes.
    stalled.end();
    await closed;
    await expect(fetch(`${handle.url}/healthz`)).rejects.toThrow();
  });
});

describe("startServer", () => {
  it("serves the probes, stats, metrics, the status page and the OpenAPI document", async () => {
    const handle = await start();
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(handle.wsUrl).toBe(`${handle.url.replace("http", "ws")}/ws`);

    const health = await fetch(`${handle.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${handle.url}/readyz`);
    expect(ready.status).toBe(200);
    const stats = await (await fetch(`${handle.url}/stats`)).json();
    expect(stats).toMatchObject({ connections: 0, channels: 0, messagesIn: { total: 0 } });

    const metrics = await fetch(`${handle.url}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/^switchyard_connections 0$/m);
    expect(text).toContain("process_cpu_user_seconds_total");

    const page = await fetch(`${handle.url}/`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('href="stats"');
    expect(html).toContain("api/openapi.json");

    const openapi = await fetch(`${handle.url}/api/openapi.json`);
    expect(((await openapi.json()) as { servers: { url: string }[] }).servers).toEqual([
      { url: handle.url },
    ]);

    const missing = await fetch(`${handle.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("asks for the API key on /stats and /metrics when configured, on them only", async () => {
    const handle = await start({ requireApiKeyForStats: true });
    for (const path of ["/stats", "/metrics"]) {
      const missing = await fetch(`${handle.url}${path}`);
      expect(missing.status, path).toBe(401);
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await missing.json()).toMatchObject({ error: { code: "api_key_required" } });
      const wrong = await fetch(`${handle.url}${path}`, {
        headers: { authorization: "Bearer wrong-key" },
      });
      expect(await wrong.json()).toMatchObject({ error: { code: "api_key_invalid" } });
      const keyed = await fetch(`${handle.url}${path}`, {
        headers: { authorization: `bearer ${API_KEY}` },
      });
      expect(keyed.status, path).toBe(200);
    }
    for (const path of ["/healthz", "/readyz", "/api/openapi.json", "/", "/inspector/links.json"]) {
      expect((await fetch(`${handle.url}${path}`)).status, path).toBe(200);
    }
  });

  it("serves the inspector's links as JSON at /inspector/links.json, [] when there are none", async () => {
    const links = [
      { label: "Example apps", url: "http://127.0.0.1:7073/" },
      { label: "Docs", url: "https://docs.example/start" },
    ];
    const handle = await start({ links });
    const response = await fetch(`${handle.url}/inspector/links.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.json()).toEqual(links);

    const bare = await start();
    expect(await (await fetch(`${bare.url}/inspector/links.json`)).json()).toEqual([]);
  });

  it("carries WebSocket clients and the HTTP API on one port", async () => {
    const handle = await start();
    const client = await subscriber(handle.wsUrl, "news");
    const response = await publish(handle, { channel: "news", event: "headline", data: "hi" });
    expect(response.status).toBe(200);
    const event = await client.next((f) => f.type === "event" && f.channel === "news");
    expect(event).toMatchObject({ event: "headline", data: "hi", offset: 1 });

    const refused = await publish(handle, { channel: "news", event: "x" }, "wrong-key");
    expect(refused.status).toBe(401);

    const stats = await (await fetch(`${handle.url}/stats`)).json();
    expect(stats).toMatchObject({ connections: 1, published: { total: 1 } });
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_connections 1$/m);
    expect(metrics).toMatch(/^switchyard_published_total 1$/m);
    expect(metrics).toMatch(
      /^switchyard_http_requests_total\{route="\/api\/publish",method="POST",status="200"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^switchyard_http_requests_total\{route="\/api\/publish",method="POST",status="401"\} 1$/m,
    );
  });

  it("runs the hub on the configured transport", async () => {
    const logger = createLogger("silent");
    expect(hubOptionsOf(resolveConfig({ flags: { transport: "ws" } }), logger).transport).toBe(
      "ws",
    );
    expect(hubOptionsOf(resolveConfig({ file: { transport: "builtin" } }), logger).transport).toBe(
      "builtin",
    );
    // Absent, the hub picks its own default.
    expect(hubOptionsOf(resolveConfig(), logger)).not.toHaveProperty("transport");

    const handle = await start({ transport: "ws" });
    const client = await subscriber(handle.wsUrl, "news");
    await publish(handle, { channel: "news", event: "headline", data: "on ws" });
    const event = await client.next((f) => f.type === "event" && f.channel === "news");
    expect(event).toMatchObject({ data: "on ws" });
  });

  it("closes a connect over the per-address limit with 4101 too_many_connections", async () => {
    const logger = createLogger("silent");
    expect(hubOptionsOf(resolveConfig(), logger).limits?.maxConnectionsPerIp).toBe(1000);

    const handle = await start({ limits: { maxConnectionsPerIp: 2 } });
    await subscriber(handle.wsUrl);
    await subscriber(handle.wsUrl);
    const third = new WsClient(handle.wsUrl);
    await expect(third.request({ type: "connect" })).rejects.toThrow("too_many_connections");
    expect(await third.closed).toBe(closeCodeOf("too_many_connections"));
  });

  it("applies the CLI's default namespace: history on, anonymous subscribers allowed", async () => {
    const handle = await start();
    await publish(handle, { channel: "anything:1", event: "e", data: 1 });
    await publish(handle, { channel: "anything:1", event: "e", data: 2 });
    const client = await subscriber(handle.wsUrl);
    const result = await client.request({ type: "subscribe", channel: "anything:1" });
    expect(result).toMatchObject({ channel: "anything:1", offset: 2 });
    const history = await fetch(`${handle.url}/api/channels/anything%3A1/history`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(((await history.json()) as { events: unknown[] }).events).toHaveLength(2);
  });

  it("refuses anonymous clients without --allow-anonymous", async () => {
    const handle = await start({ allowAnonymous: false });
    const client = await subscriber(handle.wsUrl).catch((error: Error) => error);
    expect(client).toBeInstanceOf(Error);
  });

  it("closes clients with 'server_shutting_down' (reconnect now) and stops listening", async () => {
    const handle = await start();
    const client = await subscriber(handle.wsUrl, "news");
    await handle.close();
    expect(await client.closed).toBe(closeCodeOf("server_shutting_down"));
    await expect(fetch(`${handle.url}/healthz`)).rejects.toThrow();
    await handle.close(); // idempotent
  });

  it("rejects when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise((resolve) => blocker.close(resolve)));
    const { port } = blocker.address() as AddressInfo;
    await expect(start({ port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

describe("createServerApp /readyz", () => {
  it("answers 503 once shutdown has begun or the hub is not ready", async () => {
    const hub = createHub({ allowAnonymous: true });
    onCleanup(() => hub.close({ timeout: 0 }));
    let closing = false;
    const app = createServerApp({
      hub,
      apiKey: API_KEY,
      metrics: createMetrics(hub),
      logger: createLogger("silent"),
      maxBodyBytes: 1024,
      isClosing: () => closing,
    });
    expect((await app.request("/readyz")).status).toBe(200);
    closing = true;
    const response = await app.request("/readyz");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "not_ready" });
    closing = false;
    await hub.close({ timeout: 0 });
    expect((await app.request("/readyz")).status).toBe(503);
    expect((await app.request("/healthz")).status).toBe(200);
  });
});
