import { brokerContract } from "@switchyard/server/testing";
import { afterAll, beforeAll } from "vitest";
import { createRedisBroker } from "../src/index.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await RedisProcess.start();
});

afterAll(async () => {
  await redis?.stop();
});

brokerContract("redis", () => createRedisBroker({ url: redis.url, prefix: "contract" }));
