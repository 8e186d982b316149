/**
 * The Python backend example, run as a real python3 process beside real hubs: the connect
 * proxy reads its session cookie, the subscribe proxy lets only a simulation's owner watch it,
 * the rpc proxy starts a simulation whose progress the backend publishes through the hub's
 * HTTP API, the refresh proxy ends a connection once its session is revoked, every request
 * signed; and proxied connects across a three-node cluster on one real Redis.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  type ConfigInput,
  createLogger,
  resolveConfig,
  type ServerHandle,
  startServer,
} from "@switchyard/cli";
import { closeCodeOf } from "@switchyard/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, RedisProcess } from "../../packages/redis/test/helpers/redis-process.js";
import { RawClient } from "../../packages/server/test/helpers/fixtures.js";

const SCRIPT = fileURLToPath(new URL("./server.py", import.meta.url));
const API_KEY = "python-backend-key";
const SECRET = "python-backend-proxy-secret";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Starts server.py on a free port; resolves with its URL once it printed it. */
async function startBackend(hubUrl: string, sessionTtl: number): Promise<string> {
  const child: ChildProcess = spawn(
    "python3",
    [
      SCRIPT,
      ...["--port", "0", "--hub-url", hubUrl, "--api-key", API_KEY, "--secret", SECRET],
      ...["--session-ttl", String(sessionTtl), "--step-delay", "0.01"],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill();
      await once(child, "exit");
    }
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const port = (JSON.parse(line) as { listening?: number }).listening;
    if (port !== undefined) return `http://127.0.0.1:${port}`;
  }
  throw new Error("server.py exited before listening");
}

/** The hub's config for the example: every proxy pointing at the Python backend. */
function proxyConfig(backend: string): ConfigInput {
  return {
    apiKey: API_KEY,
    namespaces: { sim: { subscribe: "authenticated", history: { size: 100, ttl: 60_000 } } },
    proxy: {
      connect: { url: `${backend}/switchyard/connect`, cookies: ["session"] },
      refresh: { url: `${backend}/switchyard/refresh` },
      subscribe: { url: `${backend}/switchyard/subscribe`, namespaces: ["sim"] },
      rpc: { url: `${backend}/switchyard/rpc`, methods: "sim.*" },
      secret: SECRET,
    },
  };
}

async function startHub(port: number, config: ConfigInput): Promise<ServerHandle> {
  const handle = await startServer(resolveConfig({ flags: { ...config, port } }), {
    logger: createLogger("silent"),
  });
  cleanups.push(() => handle.close());
  return handle;
}

/** Logs `user` in at the backend; resolves with the session cookie it set. */
async function login(backend: string, user: string): Promise<string> {
  const response = await fetch(`${backend}/login`, {
    method: "POST",
    body: JSON.stringify({ user }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^session=[^;]+; /);
  return cookie.split(";")[0] as string;
}

/** A browser tab: a raw client sending the cookie with its upgrade, connected. */
async function tab(hub: ServerHandle, cookie?: string) {
  const client = new RawClient(hub.wsUrl, { headers: cookie ? { cookie } : {} });
  await client.open();
  const reply = await client.request({ type: "connect" });
  return { client, reply };
}

/** Every event of a simulation: from history up to the subscribe's offset, then live. */
async function simulationEvents(hub: ServerHandle, client: RawClient, channel: string) {
  const subscribed = await client.request({ type: "subscribe", channel });
  expect(subscribed.error).toBeUndefined();
  const offset = (subscribed.result as { offset: number }).offset;
  const history = await fetch(`${hub.url}/api/channels/${channel}/history?limit=1000`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const past = ((await history.json()) as { events: { offset: number; event: string }[] }).events;
  const done = () =>
    past.some((e) => e.event === "done") || client.events(channel).some((e) => e.event === "done");
  if (!done()) {
    await client.next((f) => f.type === "event" && f.channel === channel && f.event === "done");
  }
  return [
    ...past.filter((e) => e.offset <= offset),
    ...client.events(channel).filter((e) => (e.offset as number) > offset),
  ].map((e) => e.event);
}

describe("examples/python-backend", () => {
  it("lets a logged-in user start a simulation by RPC and watch its progress; others may not", async () => {
    const port = await freePort();
    const backend = await startBackend(`http://127.0.0.1:${port}`, 300);
    const hub = await startHub(port, proxyConfig(backend));

    // No session cookie: the backend refuses, the hub closes for good (4004).
    const stranger = await tab(hub);
    expect(stranger.reply.error).toMatchObject({
      code: "backend_error",
      message: "Log in first",
      details: { code: 1401 },
    });
    expect(await stranger.client.waitClose()).toBe(closeCodeOf("backend_error"));

    const ada = await tab(hub, await login(backend, "ada"));
    expect(ada.reply.result).toMatchObject({ userId: "ada" });
    const started = await ada.client.request({
      type: "rpc",
      method: "sim.start",
      data: { steps: 5 },
    });
    const { channel } = started.result as { id: string; channel: string };
    expect(channel).toMatch(/^sim:[0-9a-f]{8}$/);
    expect(await simulationEvents(hub, ada.client, channel)).toEqual([
      "progress",
      "progress",
      "progress",
      "progress",
      "progress",
      "done",
    ]);

    const bob = await tab(hub, await login(backend, "bob"));
    const refused = await bob.client.request({ type: "subscribe", channel });
    expect(refused.error).toMatchObject({
      code: "backend_error",
      message: "This simulation is not yours",
      details: { code: 1403 },
    });
    const bad = await bob.client.request({ type: "rpc", method: "sim.start", data: { steps: 0 } });
    expect(bad.error).toMatchObject({ code: "backend_error", details: { code: 1422 } });
    const unknown = await bob.client.request({ type: "rpc", method: "sim.stop" });
    expect(unknown.error).toMatchObject({ code: "backend_error", details: { code: 1404 } });
  });

  it("hears who connects and disconnects, and why, through the hub's signed webhooks", async () => {
    const port = await freePort();
    const backend = await startBackend(`http://127.0.0.1:${port}`, 300);
    const hub = await startHub(port, {
      ...proxyConfig(backend),
      webhooks: {
        url: `${backend}/switchyard/webhooks`,
        secret: SECRET,
        events: ["connected", "disconnected"],
        batch: { window: 20 },
      },
    });
    const online = async (expected: Record<string, number>) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const response = await fetch(`${backend}/online`, { method: "POST", body: "{}" });
        const { users } = (await response.json()) as { users: Record<string, number> };
        if (JSON.stringify(users) === JSON.stringify(expected)) return;
        if (Date.now() > deadline) expect(users).toEqual(expected);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const ada = await login(backend, "ada");
    const first = await tab(hub, ada);
    const second = await tab(hub, ada);
    expect(second.reply.error).toBeUndefined();
    await online({ ada: 2 });
    first.client.ws.close(1000);
    await online({ ada: 1 });
    // The hub ends the other tab: the backend learns it, with the hub's reason.
    expect(hub.hub.disconnect({ userId: "ada" })).toBe(1);
    await online({});
  });

  it("refuses requests to its hooks that the hub did not sign", async () => {
    const backend = await startBackend("http://127.0.0.1:1", 300);
    const body = JSON.stringify({ cookies: {}, headers: {} });
    const unsigned = await fetch(`${backend}/switchyard/connect`, { method: "POST", body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(`${backend}/switchyard/connect`, {
      method: "POST",
      body,
      headers: {
        "switchyard-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`,
      },
    });
    expect(forged.status).toBe(401);
    const { signWebhook } = await import("@switchyard/server");
    const signed = await fetch(`${backend}/switchyard/connect`, {
      method: "POST",
      body,
      headers: { "switchyard-signature": signWebhook(body, SECRET) },
    });
    expect(await signed.json()).toEqual({ error: { code: 1401, message: "Log in first" } });
    const stale = await fetch(`${backend}/switchyard/connect`, {
      method: "POST",
      body,
      headers: {
        "switchyard-signature": signWebhook(body, SECRET, Math.floor(Date.now() / 1000) - 600),
      },
    });
    expect(stale.status).toBe(401);
  });

  it("ends a connection at its next refresh once the session is revoked", async () => {
    const port = await freePort();
    const backend = await startBackend(`http://127.0.0.1:${port}`, 0.2);
    const hub = await startHub(port, { ...proxyConfig(backend), heartbeat: { interval: 100 } });
    const cookie = await login(backend, "ada");
    const ada = await tab(hub, cookie);
    expect(ada.reply.result).toMatchObject({ userId: "ada" });
    const logout = await fetch(`${backend}/logout`, {
      method: "POST",
      body: JSON.stringify({ session: cookie.split("=")[1] }),
    });
    expect(logout.status).toBe(200);
    expect(await ada.client.waitClose()).toBe(closeCodeOf("backend_error"));
    expect(ada.client.closeReason).toBe("Your session ended; log in again");
  });

  it("decides connects on every node of a three-node cluster on one Redis", async () => {
    const redis = await RedisProcess.start();
    cleanups.push(() => redis.stop());
    const port = await freePort();
    const backend = await startBackend(`http://127.0.0.1:${port}`, 300);
    const cluster = {
      ...proxyConfig(backend),
      redis: { url: redis.url, prefix: `python-backend-${port}` },
    };
    const nodes = [
      await startHub(port, cluster),
      await startHub(0, cluster),
      await startHub(0, cluster),
    ];
    const cookie = await login(backend, "ada");
    const tabs = await Promise.all(nodes.map((node) => tab(node, cookie)));
    for (const { reply } of tabs) expect(reply.result).toMatchObject({ userId: "ada" });
    // Started on node 2, published by the backend through node 0, watched on node 1.
    const [, watcher, starter] = tabs as [unknown, { client: RawClient }, { client: RawClient }];
    const started = await starter.client.request({
      type: "rpc",
      method: "sim.start",
      data: { steps: 3 },
    });
    const { channel } = started.result as { channel: string };
    expect(await simulationEvents(nodes[1] as ServerHandle, watcher.client, channel)).toEqual([
      "progress",
      "progress",
      "progress",
      "done",
    ]);
    // Refused alike on every node: the session store is the backend's, not a node's.
    for (const node of nodes) {
      const stranger = await tab(node);
      expect(stranger.reply.error).toMatchObject({
        code: "backend_error",
        details: { code: 1401 },
      });
    }
  });
});
