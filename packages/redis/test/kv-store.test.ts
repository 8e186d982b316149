import { keyValueContract } from "@switchyard/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisBroker, type RedisBroker } from "../src/index.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
const brokers = new Map<RedisBroker["kv"], RedisBroker>();

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  await redis?.stop();
});

async function openBroker(prefix = "kv"): Promise<RedisBroker> {
  const broker = createRedisBroker({ url: redis.url, prefix });
  await broker.start(() => {});
  brokers.set(broker.kv, broker);
  return broker;
}

keyValueContract("redis", async () => (await openBroker()).kv, {
  dispose: (store) => brokers.get(store)?.close(),
});

describe("key-value store across nodes", () => {
  it("shows one node's documents and sets to another, binary data included", async () => {
    const [a, b] = [await openBroker("kv-nodes"), await openBroker("kv-nodes")];
    try {
      const snapshot = { status: "running", chunk: new Uint8Array([9, 8, 7]) };
      await a.kv.set("job:1", snapshot, 60_000);
      await a.kv.addToSet("jobs:alice", "job:1", 60_000);
      expect(await b.kv.get("job:1")).toEqual(snapshot);
      expect(await b.kv.members("jobs:alice")).toEqual(["job:1"]);
      await b.kv.delete("job:1");
      expect(await a.kv.get("job:1")).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
