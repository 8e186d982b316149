/**
 * State convergence across a cluster: three hubs on one real Redis, 30 clients spread over
 * them, 3,000 random writes (single sets, batches, deletes, compare-and-sets on stale
 * versions, undos) in concurrent waves. Every client ends with the same document and version
 * as the hub, and every refused write was reported to its writer.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HubServer } from "../../client/test/hub-fixture.js";
import { convergenceProblems, runWorkload } from "../../client/test/state-workload.js";
import { createRedisBroker } from "../src/index.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
const disposers: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});
afterAll(async () => {
  await redis?.stop();
});

describe("synced state on three hubs and one Redis", () => {
  it("converges: 30 clients, 3,000 random writes, every refusal reported to its writer", async () => {
    const prefix = `state-${randomUUID().slice(0, 8)}`;
    const nodes = await Promise.all(
      [0, 1, 2].map(async () => {
        const node = await HubServer.start({
          allowAnonymous: true,
          broker: createRedisBroker({ url: redis.url, prefix }),
          state: { documents: { board: { read: "anyone", write: { "": "anyone" } } } },
        });
        disposers.push(() => node.stop());
        return node;
      }),
    );
    const writes = 3_000;
    const { writers, document, figures } = await runWorkload({
      urls: nodes.map((node) => node.url),
      clients: 30,
      writes,
      wave: 150,
      seed: 2026,
      name: "board",
      // Any node's view: they share the document in Redis.
      serverDocument: () => (nodes[1] as HubServer).hub.state("board").get(),
      cleanup: (dispose) => disposers.push(dispose),
      watchWrites: (record) => {
        for (const node of nodes) {
          node.hub.state("board").on("change", ({ version, changes }) => record(version, changes));
        }
      },
    });
    console.log("state convergence, 3 nodes on Redis:", JSON.stringify(figures));
    expect(convergenceProblems(writers, document, writes)).toEqual([]);
    // Every node holds the same document.
    for (const node of nodes) expect(await node.hub.state("board").get()).toEqual(document);
    expect(figures.refusedByCode).toEqual({ state_conflict: figures.refused });
    expect(figures.refused).toBeGreaterThan(50);
    // Compare-and-sets on a store's own version never pass a write it has not seen.
    expect(figures.compareAndSets).toBeGreaterThan(300);
    expect(figures.overUnseen).toBe(0);
    expect(figures.overUnseenAccepted).toBe(0);
    expect(figures.undos).toBeGreaterThan(50);
    expect(figures.finalVersion).toBeGreaterThan(2_000);
  }, 60_000);
});
