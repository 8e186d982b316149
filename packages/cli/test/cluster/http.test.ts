/**
 * The cluster side of the standalone server's HTTP endpoints, with servers in this process on
 * one real Redis: `/stats` per node and total, `POST /api/disconnect` across nodes, `/readyz`
 * while Redis is away, and a start without Redis.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { closeCodeOf } from "@switchyard/protocol";
import { createRedisBroker } from "@switchyard/redis";
import { createHub } from "@switchyard/server";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../redis/test/helpers/redis-process.js";
import { joinCluster } from "../../src/cluster.js";
import type { ClusterStats } from "../../src/cluster-stats.js";
import { type ConfigInput, resolveConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type ServerHandle, startServer } from "../../src/serve.js";
import { onCleanup, subscriber, WsClient } from "../helpers.js";
import { API_KEY, buildBin, HubProcess, writeConfig } from "./fixtures.js";

const SECRET = "cluster-test-secret-of-at-least-32-bytes";
const silent = createLogger("silent");

function sign(sub: string): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .sign(new TextEncoder().encode(SECRET));
}

async function startNode(redis: RedisProcess, prefix: string, extra: ConfigInput = {}) {
  const config = resolveConfig({
    flags: {
      port: 0,
      apiKey: API_KEY,
      auth: { secret: SECRET },
      shutdownTimeout: 200,
      redis: { url: redis.url, prefix, startTimeout: 2_000 },
      ...extra,
    },
  });
  const handle = await startServer(config, { logger: silent });
  onCleanup(() => handle.close());
  return handle;
}

/** Re-reads `read()` until `done` holds (the state lives in other processes or in Redis). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function post(handle: ServerHandle, path: string, body: unknown): Promise<Response> {
  return fetch(`${handle.url}/api/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

let redis: RedisProcess;
beforeAll(async () => {
  redis = await RedisProcess.start();
  return () => redis.stop();
});

describe("the cluster's HTTP side", () => {
  it("takes the Redis URL from --redis or SWITCHYARD_REDIS_URL and keeps the file's other fields", () => {
    const file: ConfigInput = { redis: { url: "redis://file:6379", prefix: "app", nodeId: "a" } };
    const env = { SWITCHYARD_REDIS_URL: "redis://env:6379" };
    expect(resolveConfig({ file }).redis).toEqual(file.redis);
    expect(resolveConfig({ file, env }).redis).toEqual({ ...file.redis, url: "redis://env:6379" });
    const flags: ConfigInput = { redis: { url: "redis://flag:6379" } };
    expect(resolveConfig({ file, env, flags }).redis).toEqual({
      ...file.redis,
      url: "redis://flag:6379",
    });
    expect(resolveConfig({ env }).redis).toEqual({ url: "redis://env:6379" });
    expect(resolveConfig({}).redis).toBeUndefined();
    expect(() => resolveConfig({ flags: { redis: { url: "http://x" } } })).toThrow(/redis\.url/);
  });

  it("/stats shows every node's figures and their total", async () => {
    const prefix = `stats-${randomUUID().slice(0, 8)}`;
    const nodes = await Promise.all(
      ["node-a", "node-b"].map(async (nodeId) => {
        const broker = createRedisBroker({ url: redis.url, prefix, nodeId });
        const hub = createHub({
          broker,
          allowAnonymous: true,
          defaultNamespace: { subscribe: "anyone" },
        });
        const server: Server = createServer();
        hub.attach(server);
        server.listen(0, "127.0.0.1");
        await hub.whenStarted();
        const cluster = joinCluster(hub, broker, { logger: silent, statsPeriod: 50 });
        onCleanup(async () => {
          await hub.close({ timeout: 0 });
          await cluster.close();
          await new Promise((resolve) => server.close(resolve));
        });
        const { port } = server.address() as AddressInfo;
        return { cluster, url: `ws://127.0.0.1:${port}/ws` };
      }),
    );
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await subscriber(a.url, "news");
    await subscriber(b.url, "news");
    await subscriber(b.url, "sport");

    // Wait for figures published after the last subscribe: node b's may date from when its
    // second client had connected but not yet subscribed to `sport`.
    const stats = await eventually(
      () => a.cluster.stats(),
      (s: ClusterStats) => s.total.connections === 3 && s.total.channels === 11,
    );
    expect(stats).toMatchObject({ nodeId: "node-a", connections: 1 });
    expect(stats.nodes.map((node) => [node.nodeId, node.connections])).toEqual([
      ["node-a", 1],
      ["node-b", 2],
    ]);
    const [statsA, statsB] = stats.nodes as [ClusterStats["nodes"][0], ClusterStats["nodes"][0]];
    // a: $client, $session, $broadcast, news; b: two of each personal channel, news, sport.
    expect([statsA.channels, statsB.channels]).toEqual([4, 7]);
    expect(stats.total).toMatchObject({
      connections: 3,
      channels: statsA.channels + statsB.channels,
      subscriptions: statsA.subscriptions + statsB.subscriptions,
      messagesIn: { total: statsA.messagesIn.total + statsB.messagesIn.total },
    });
    expect(stats.incomplete).toBeUndefined();

    // A node that leaves removes its figures.
    await b.cluster.close();
    const after = await a.cluster.stats();
    expect(after.nodes.map((node) => node.nodeId)).toEqual(["node-a"]);
  });

  it("POST /api/disconnect closes a user's clients on every node", async () => {
    const prefix = `disconnect-${randomUUID().slice(0, 8)}`;
    const a = await startNode(redis, prefix);
    const b = await startNode(redis, prefix);
    expect(a.nodeId).not.toBe(b.nodeId);
    const open = async (node: ServerHandle, user: string) => {
      const client = new WsClient(`${node.wsUrl}?token=${await sign(user)}`);
      await client.request({ type: "connect" });
      return client;
    };
    const alice = [await open(a, "alice"), await open(b, "alice"), await open(b, "alice")];
    const bob = await open(b, "bob");

    const response = await post(a, "disconnect", { userId: "alice" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ disconnected: 3 });
    for (const client of alice) expect(await client.closed).toBe(closeCodeOf("disconnected"));
    expect(await bob.request({ type: "ping" })).toBeDefined();

    expect(await (await post(b, "disconnect", { userId: "nobody" })).json()).toEqual({
      disconnected: 0,
    });
  });

  it("/readyz says not ready while Redis is down, and the node keeps running", async () => {
    const own = await RedisProcess.start();
    onCleanup(() => own.stop());
    const node = await startNode(own, "readyz");
    const client = await subscriber(`${node.wsUrl}?token=${await sign("carol")}`, "news");
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);

    await own.stop();
    await eventually(
      async () => (await fetch(`${node.url}/readyz`)).status,
      (status) => status === 503,
    );
    expect(await (await fetch(`${node.url}/readyz`)).json()).toEqual({ status: "not_ready" });
    expect(await (await fetch(`${node.url}/healthz`)).json()).toEqual({ status: "ok" });
    const stats = (await (await fetch(`${node.url}/stats`)).json()) as ClusterStats;
    expect(stats).toMatchObject({ connections: 1, incomplete: true });
    expect(stats.nodes.map((n) => n.nodeId)).toEqual([node.nodeId]);
    const refused = await post(node, "disconnect", { userId: "carol" });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "broker_unavailable" } });

    await own.restart();
    await eventually(
      async () => (await fetch(`${node.url}/readyz`)).status,
      (status) => status === 200,
    );
    // Its subscriber may have missed events: told to reconnect now and recover.
    expect(await client.closed).toBe(closeCodeOf("broker_reset"));
    const publish = await post(node, "publish", { channel: "news", event: "n", data: 1 });
    expect(publish.status).toBe(200);
  });
});

describe("switchyard serve --redis (the bin)", () => {
  beforeAll(buildBin, 120_000);

  it("exits 1 naming the Redis it could not reach", async () => {
    // A port that accepts and hangs up at once: Redis never answers there.
    const holder = createServer().on("connection", (socket) => socket.destroy());
    holder.listen(0, "127.0.0.1");
    onCleanup(() => new Promise((resolve) => holder.close(resolve)));
    await new Promise((resolve) => holder.once("listening", resolve));
    const { port } = holder.address() as AddressInfo;
    const config = await writeConfig({ redis: { url: "redis://unused:1", startTimeout: 300 } });
    const node = HubProcess.spawn([
      "--port",
      "0",
      "--config",
      config,
      "--redis",
      `redis://:secret@127.0.0.1:${port}`,
    ]);
    expect(await node.exited).toBe(1);
    expect(node.stderr).toContain(`cannot start: Redis at redis://`);
    expect(node.stderr).toContain(`127.0.0.1:${port} is unreachable after 300 ms`);
    expect(node.stderr).not.toContain("secret");
  });
});
