import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHub, type HubOptions } from "@switchyard/server";
import { type StateContractNode, stateContract } from "@switchyard/server/testing";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import { createRedisBroker } from "../src/index.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  await redis?.stop();
});

/** One hub node on its own Redis broker and http.Server (port 0). */
async function startNode(options: HubOptions, prefix: string): Promise<StateContractNode> {
  const hub = createHub({ ...options, broker: createRedisBroker({ url: redis.url, prefix }) });
  await hub.whenStarted();
  const server = createServer();
  hub.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    url: `ws://127.0.0.1:${port}/ws`,
    async close() {
      await hub.close({ timeout: 500 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

stateContract(
  "Redis, three hub nodes on one redis-server",
  (options, count) => {
    const prefix = `state-${randomUUID().slice(0, 8)}`;
    return Promise.all(Array.from({ length: count }, () => startNode(options, prefix)));
  },
  { WebSocket },
);
