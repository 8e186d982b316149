import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHub, type HubOptions } from "../../../src/index.js";
import type { StateContractNode } from "../../../src/testing/index.js";
import { memoryCluster } from "../jobs/helpers.js";

/** A hub on a real http.Server on port 0 (`close` may be called more than once). */
export async function startNode(options: HubOptions): Promise<StateContractNode> {
  const hub = createHub(options);
  const server = createServer();
  hub.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    hub,
    url: `ws://127.0.0.1:${port}/ws`,
    close() {
      closed ??= (async () => {
        await hub.close({ timeout: 500 });
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      })();
      return closed;
    },
  };
}

/** `count` hubs on one memory cluster (one key-value store, events to every subscribed node). */
export async function memoryNodes(options: HubOptions, count: number) {
  const node = memoryCluster();
  return Promise.all(
    Array.from({ length: count }, () => startNode({ ...options, broker: node() })),
  );
}
