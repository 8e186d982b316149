/**
 * Three hub processes behind one Redis are one hub: 20,000 sequenced events published through
 * every node's HTTP API reach every subscriber, wherever it is connected, exactly once and in
 * order.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { rawCommand } from "../../../redis/test/helpers/redis-process.js";
import { buildBin, type HubProcess, publishSequences, Signal, startCluster } from "./fixtures.js";
import { allReceived, sequenceProblems, watch } from "./watchers.js";

beforeAll(buildBin, 120_000);

describe("a cluster of three hub processes", () => {
  it("delivers 20,000 events published from every node exactly once, in order, to clients on every node", async () => {
    const { redis, prefix, nodes } = await startCluster("cluster", {
      // The flag's URL wins over the file's; the file's prefix stays.
      configRedisUrl: "redis://127.0.0.1:1",
    });

    const channels = Array.from({ length: 8 }, (_, i) => `seq:${i}`);
    const perChannel = 2_500;
    const signal = new Signal();
    // 12 clients, 4 per node, 3 channels each: every channel has subscribers on several nodes.
    const watchers = Array.from({ length: 12 }, (_, i) =>
      watch(
        (nodes[i % 3] as HubProcess).wsUrl,
        [0, 3, 5].map((step) => channels[(i + step) % 8] as string),
        signal,
      ),
    );
    await signal.until(
      () => watchers.every((w) => w.subscribed()),
      () => "every subscription",
    );
    for (const node of nodes) expect((await node.stats()).connections).toBe(4);

    const retries = await publishSequences({
      channels,
      perChannel,
      batch: 100,
      nodes: () => nodes,
    });
    expect(retries).toBe(0);
    await signal.until(
      () => allReceived(watchers, perChannel),
      () => `every event; last: ${watchers.map((w) => w.channels.map((c) => w.last(c))).join(" ")}`,
      45_000,
    );

    expect(sequenceProblems(watchers, perChannel, { allowResets: false })).toEqual([]);
    expect(watchers.map((w) => w.connects())).toEqual(watchers.map(() => 1));
    // The nodes used the file's prefix on the flag's Redis.
    expect(await rawCommand(redis.port, "EXISTS", `${prefix}:{seq:0}:meta`)).toBe(":1");
    for (const node of nodes) expect(node.alive).toBe(true);
  }, 60_000);
});
