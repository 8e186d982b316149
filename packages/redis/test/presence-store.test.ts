import { setTimeout as delay } from "node:timers/promises";
import { SwitchyardError } from "@switchyard/protocol";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeFactory } from "./helpers/nodes.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
const nodes = nodeFactory();

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(() => nodes.closeAll());
afterAll(async () => {
  await redis?.stop();
});

const byClient = (a: { clientId: string }, b: { clientId: string }) =>
  a.clientId.localeCompare(b.clientId);

describe("presence store", () => {
  it("shares the entries every node writes, with their info", async () => {
    const prefix = nodes.prefix();
    const a = await nodes.start({ url: redis.url, prefix });
    const b = await nodes.start({ url: redis.url, prefix });
    const avatar = new Uint8Array([1, 2, 3]);
    await a.broker.presence.set("room:1", "c1", { user: "alice", avatar }, 30_000);
    await b.broker.presence.set("room:1", "c2", { user: "bob" }, 30_000);
    await b.broker.presence.set("room:2", "c3", { user: "carol" }, 30_000);
    for (const node of [a, b]) {
      const entries = (await node.broker.presence.list("room:1")).sort(byClient);
      expect(entries.map(({ clientId, info }) => ({ clientId, info }))).toEqual([
        { clientId: "c1", info: { user: "alice", avatar } },
        { clientId: "c2", info: { user: "bob" } },
      ]);
      for (const entry of entries) {
        expect(Math.abs(entry.expiresAt - (Date.now() + 30_000))).toBeLessThan(10_000);
      }
    }
    expect((await a.broker.presence.list("room:2")).map((entry) => entry.clientId)).toEqual(["c3"]);
  });

  it("refreshes an entry in place and removes it", async () => {
    const node = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    await node.broker.presence.set("room", "c1", { v: 1 }, 30_000);
    const [first] = await node.broker.presence.list("room");
    await node.broker.presence.set("room", "c1", { v: 2 }, 60_000);
    const entries = await node.broker.presence.list("room");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.info).toEqual({ v: 2 });
    expect(entries[0]?.expiresAt).toBeGreaterThan(first?.expiresAt ?? 0);
    await node.broker.presence.remove("room", "c1");
    expect(await node.broker.presence.list("room")).toEqual([]);
  });

  it("lets the entries of a node that stopped refreshing them expire", async () => {
    const prefix = nodes.prefix();
    const crashed = await nodes.start({ url: redis.url, prefix });
    const alive = await nodes.start({ url: redis.url, prefix });
    await crashed.broker.presence.set("room", "gone", { user: "x" }, 150);
    await alive.broker.presence.set("room", "kept", { user: "y" }, 30_000);
    await crashed.broker.close();
    expect((await alive.broker.presence.list("room")).map((e) => e.clientId).sort()).toEqual([
      "gone",
      "kept",
    ]);
    // Expiry is what is under test, so time itself has to pass.
    await delay(300);
    expect((await alive.broker.presence.list("room")).map((e) => e.clientId)).toEqual(["kept"]);
  });

  it("keeps its keys no longer than the longest entry", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix });
    await node.broker.presence.set("room", "c1", null, 5_000);
    await node.broker.presence.set("room", "c2", null, 20_000);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${prefix}:*presence*`);
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        const ttl = await client.pTTL(key);
        expect(ttl).toBeGreaterThan(5_000);
        expect(ttl).toBeLessThanOrEqual(20_000);
      }
    } finally {
      await client.close();
    }
  });

  it("refuses a ttl that is not positive", async () => {
    const node = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    await expect(node.broker.presence.set("room", "c1", null, 0)).rejects.toBeInstanceOf(
      SwitchyardError,
    );
  });
});
