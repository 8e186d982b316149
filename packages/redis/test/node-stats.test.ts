import { setTimeout as delay } from "node:timers/promises";
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

describe("node stats", () => {
  it("lets every node read every node's stats", async () => {
    const prefix = nodes.prefix();
    const a = await nodes.start({ url: redis.url, prefix, nodeId: "node-a" });
    const b = await nodes.start({ url: redis.url, prefix, nodeId: "node-b" });
    await b.broker.nodeStats.write(b.broker.nodeId, { connections: 7, channels: 2 });
    await a.broker.nodeStats.write(a.broker.nodeId, { connections: 3, channels: 1 });
    for (const node of [a, b]) {
      const all = await node.broker.nodeStats.readAll();
      expect(all.map(({ nodeId, stats }) => ({ nodeId, stats }))).toEqual([
        { nodeId: "node-a", stats: { connections: 3, channels: 1 } },
        { nodeId: "node-b", stats: { connections: 7, channels: 2 } },
      ]);
    }
    await a.broker.nodeStats.write("node-a", { connections: 4, channels: 1 });
    const [first] = await b.broker.nodeStats.readAll();
    expect(first?.stats).toEqual({ connections: 4, channels: 1 });
  });

  it("forgets a node that is removed or stops writing", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix });
    await node.broker.nodeStats.write("leaving", { connections: 1 });
    await node.broker.nodeStats.write("crashed", { connections: 2 }, 150);
    await node.broker.nodeStats.write("staying", { connections: 3 });
    await node.broker.nodeStats.remove("leaving");
    expect((await node.broker.nodeStats.readAll()).map((entry) => entry.nodeId)).toEqual([
      "crashed",
      "staying",
    ]);
    // Expiry is what is under test, so time itself has to pass.
    await delay(300);
    expect((await node.broker.nodeStats.readAll()).map((entry) => entry.nodeId)).toEqual([
      "staying",
    ]);
  });
});
