import { setTimeout as delay } from "node:timers/promises";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeFactory } from "./helpers/nodes.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
let client: ReturnType<typeof createClient>;
const nodes = nodeFactory();

beforeAll(async () => {
  redis = await RedisProcess.start();
  client = createClient({ url: redis.url });
  await client.connect();
});
afterEach(() => nodes.closeAll());
afterAll(async () => {
  await client?.close();
  await redis?.stop();
});

describe("key expiry", () => {
  it("gives every key it writes an expiry, history keys at least the retention's ttl", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix, idleTtl: 60_000 });
    const history = { size: 100, ttl: 90_000 };
    await node.broker.subscribe("a");
    await node.broker.publish({ channel: "a", event: "e", data: 1, history });
    await node.broker.publish({ channel: "b", event: "e", data: 2, idempotencyKey: "k" });
    await node.broker.position("c");
    await node.broker.presence.set("a", { clientId: "client", userId: "u", info: null }, 10_000);
    await node.broker.nodeStats.write(node.broker.nodeId, { connections: 0 });
    const keys = (await client.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual(
      [
        `${prefix}:nodes`,
        `${prefix}:node:${node.broker.nodeId}`,
        `${prefix}:{a}:meta`,
        `${prefix}:{a}:presence:exp`,
        `${prefix}:{a}:presence:info`,
        `${prefix}:{a}:presence:order`,
        `${prefix}:{a}:presence:members`,
        `${prefix}:{a}:stream`,
        `${prefix}:{b}:idem:k`,
        `${prefix}:{c}:meta`,
      ].sort(),
    );
    for (const key of keys) expect(await client.pTTL(key)).toBeGreaterThan(0);
    expect(await client.pTTL(`${prefix}:{a}:stream`)).toBeGreaterThan(60_000);
    expect(await client.pTTL(`${prefix}:{a}:meta`)).toBeGreaterThan(60_000);
    expect(await client.pTTL(`${prefix}:{c}:meta`)).toBeLessThanOrEqual(60_000);
  });

  it("forgets an idle channel, which then starts again in a new epoch", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix, idleTtl: 200 });
    const history = { size: 100, ttl: 100 };
    const first = await node.broker.publish({ channel: "idle", event: "e", data: 1, history });
    // Expiry is what is under test, so time itself has to pass.
    await delay(400);
    expect(await client.exists(`${prefix}:{idle}:meta`)).toBe(0);
    const position = await node.broker.position("idle");
    expect(position.epoch).not.toBe(first.epoch);
    expect(position.offset).toBe(0);
  });

  it("keeps a channel this node is subscribed to", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix, idleTtl: 1_000 });
    const history = { size: 100, ttl: 100 };
    await node.broker.subscribe("watched");
    const first = await node.broker.publish({ channel: "watched", event: "e", data: 1, history });
    // Several idle periods pass while subscribed.
    await delay(2_500);
    expect(await node.broker.position("watched")).toEqual({ epoch: first.epoch, offset: 1 });
  });
});
