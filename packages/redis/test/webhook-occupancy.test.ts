/**
 * Channel occupancy webhooks across two hub nodes on a real Redis: each change of a channel
 * shared by the nodes is reported once, by one node, through the key-value store's
 * compare-and-set.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../../server/test/features/webhooks/receiver.js";
import { connected, onCleanup, startHub } from "../../server/test/helpers/fixtures.js";
import { createRedisBroker } from "../src/index.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  await redis?.stop();
});

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A hub node on the shared Redis, sending occupancy webhooks as `node`. */
async function hubNode(receiver: Receiver, prefix: string, node: string) {
  const broker = createRedisBroker({ url: redis.url, prefix, nodeId: node });
  // Registered before the hub's own cleanup, so it runs after the hub closed.
  onCleanup(() => broker.close());
  const fixture = await startHub({
    ...receiver.hubOptions({ events: ["channel_occupied", "channel_vacated"], grace: 100, node }),
    broker,
  });
  await fixture.hub.whenStarted();
  return fixture;
}

describe("channel occupancy webhooks on Redis", () => {
  it("reports a channel shared by two nodes occupied once and vacated once", async () => {
    const receiver = await startReceiver();
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const a = await hubNode(receiver, prefix, "node-a");
    const b = await hubNode(receiver, prefix, "node-b");
    const onA = await connected(a.url);
    const onB = await connected(b.url);
    // Both fill the empty channel at once: exactly one of them finds it empty.
    await Promise.all([
      onA.request({ type: "subscribe", channel: "room:1" }),
      onB.request({ type: "subscribe", channel: "room:1" }),
    ]);
    await receiver.event("channel_occupied");
    // Both leave: their graces end at about the same time, and only the node whose write
    // empties the entry reports it.
    await onA.request({ type: "unsubscribe", channel: "room:1" });
    onB.ws.close(1000);
    const vacated = await receiver.event("channel_vacated");
    expect(["node-a", "node-b"]).toContain(vacated.node);
    // A later change, so that anything wrongly reported before it has arrived by then.
    await onA.request({ type: "subscribe", channel: "room:2" });
    await receiver.event("channel_occupied", (event) => event.data.channel === "room:2");
    expect(receiver.accepted.map((event) => [event.type, event.data])).toEqual([
      ["channel_occupied", { channel: "room:1" }],
      ["channel_vacated", { channel: "room:1" }],
      ["channel_occupied", { channel: "room:2" }],
    ]);
    expect(receiver.requests.every((request) => request.verified)).toBe(true);
  });
});
