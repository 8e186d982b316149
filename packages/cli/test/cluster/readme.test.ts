/**
 * The README's "Run a cluster" commands, run as written (on free ports and the test's Redis):
 * an event published on one node reaches a subscriber on the other.
 */
import { readFileSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { RedisProcess } from "../../../redis/test/helpers/redis-process.js";
import { onCleanup, subscriber } from "../helpers.js";
import { buildBin, HubProcess } from "./fixtures.js";

beforeAll(buildBin, 120_000);

/** The `switchyard serve` commands of the README's cluster section, as argument lists. */
function readmeCommands(): string[][] {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  const section = readme.split("## Run a cluster")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("npx @switchyard/cli serve "))
    .map((line) => line.split(/\s+/).slice(3));
}

it("runs the cluster of the README in two commands", async () => {
  const commands = readmeCommands();
  expect(commands).toHaveLength(2);
  const redis = await RedisProcess.start();
  onCleanup(() => redis.stop());

  const nodes = await Promise.all(
    commands.map(async (args) => {
      const adapted = args.map((arg, i) => {
        if (args[i - 1] === "--port") return "0";
        if (args[i - 1] === "--redis") return redis.url;
        return arg;
      });
      const node = HubProcess.spawn(adapted);
      // The banner ends with the cluster line.
      await node.waitFor(
        () => /Cluster\s+node \S+ on redis:\/\/\S+\n/.exec(node.stderr) ?? undefined,
      );
      const wsUrl = /WebSocket\s+(ws:\/\/\S+)/.exec(node.stderr)?.[1] ?? "";
      const url = /HTTP API\s+(http:\/\/\S+)\/api/.exec(node.stderr)?.[1] ?? "";
      return { node, wsUrl, url };
    }),
  );
  const [first, second] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  expect(second.node.stderr).toContain(`on ${redis.url}\n`);
  const key = commands[0]?.[commands[0].indexOf("--api-key") + 1] ?? "";

  const client = await subscriber(second.wsUrl, "news");
  const response = await fetch(`${first.url}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "news", event: "hello", data: { n: 1 } }),
  });
  expect(response.status).toBe(200);
  expect(await client.next((frame) => frame.type === "event")).toMatchObject({
    channel: "news",
    event: "hello",
    data: { n: 1 },
    offset: 1,
  });
});
