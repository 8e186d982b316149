import { SwitchyardError } from "@switchyard/protocol";
import type { PresenceStore } from "@switchyard/server";
import { presenceContract } from "@switchyard/server/testing";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisBroker, type RedisBroker } from "../src/index.js";
import { nodeFactory } from "./helpers/nodes.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
const nodes = nodeFactory();
const contractBrokers = new Map<PresenceStore, RedisBroker>();

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(() => nodes.closeAll());
afterAll(async () => {
  await redis?.stop();
});

presenceContract(
  "redis",
  async () => {
    const broker = createRedisBroker({ url: redis.url, prefix: "presence-contract" });
    await broker.start(() => {});
    contractBrokers.set(broker.presence, broker);
    return broker.presence;
  },
  { dispose: (store) => contractBrokers.get(store)?.close() },
);

describe("presence store across nodes", () => {
  it("shares the entries every node writes; one node takes a dead node's expired entry", async () => {
    const prefix = nodes.prefix();
    const dead = await nodes.start({ url: redis.url, prefix });
    const a = await nodes.start({ url: redis.url, prefix });
    const b = await nodes.start({ url: redis.url, prefix });
    await dead.broker.presence.set("room:1", { clientId: "z", userId: "zed", info: null }, 150);
    await a.broker.presence.set("room:1", { clientId: "a", userId: "ann", info: "A" }, 30_000);
    await b.broker.presence.set("room:1", { clientId: "b", userId: "ann", info: "B" }, 30_000);
    await dead.broker.close();
    const before = await a.broker.presence.page("room:1", { limit: 10 });
    expect(before.count).toEqual({ members: 2, connections: 3 });
    // Expiry is what is under test, so time itself has to pass.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [fromA, fromB] = await Promise.all([
      a.broker.presence.expire("room:1"),
      b.broker.presence.expire("room:1"),
    ]);
    expect([...fromA, ...fromB].map((entry) => entry.clientId)).toEqual(["z"]);
    const page = await b.broker.presence.page("room:1", { limit: 10 });
    expect(page.members).toEqual([{ userId: "ann", info: "A", clientIds: ["a", "b"] }]);
  });

  it("keeps its keys no longer than the longest entry", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix });
    await node.broker.presence.set("room", { clientId: "c1", userId: "u", info: null }, 5_000);
    await node.broker.presence.set("room", { clientId: "c2", userId: null, info: null }, 20_000);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${prefix}:*presence*`);
      expect(keys).toHaveLength(4);
      for (const key of keys) {
        const ttl = await client.pTTL(key);
        expect(ttl).toBeGreaterThan(5_000);
        expect(ttl).toBeLessThanOrEqual(20_000);
      }
    } finally {
      await client.close();
    }
  });

  it("refuses a ttl that is not positive with a SwitchyardError", async () => {
    const node = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    await expect(
      node.broker.presence.set("room", { clientId: "c1", userId: null, info: null }, 0),
    ).rejects.toBeInstanceOf(SwitchyardError);
  });
});
