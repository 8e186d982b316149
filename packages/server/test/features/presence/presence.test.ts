import { createHttpApi } from "../../../src/index.js";
import { type HubFixture, startHub } from "../../helpers/fixtures.js";
import { memoryCluster } from "../jobs/helpers.js";
import { type PresenceCluster, presenceSuite, SUITE_HUB } from "./contract.js";

/** Three in-process nodes on one memory broker. */
async function memoryNodes(): Promise<PresenceCluster> {
  const node = memoryCluster();
  const hubs: HubFixture[] = [];
  for (let i = 0; i < 3; i++) hubs.push(await startHub({ ...SUITE_HUB, broker: node() }));
  const apis = hubs.map(({ hub }) => createHttpApi(hub, { apiKey: "key" }));
  return {
    urls: hubs.map((fixture) => fixture.url),
    async get(path, index) {
      const response = await (apis[index] as (typeof apis)[number]).request(path, {
        headers: { authorization: "Bearer key" },
      });
      return { status: response.status, json: await response.json() };
    },
    async lost() {
      return hubs.reduce((sum, { hub }) => sum + (hub.stats().features.presence?.lost ?? 0), 0);
    },
  };
}

presenceSuite("memory broker, three nodes", memoryNodes);
