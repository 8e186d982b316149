import type { HistoryOptions } from "@switchyard/server";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeFactory } from "./helpers/nodes.js";
import { RedisProcess } from "./helpers/redis-process.js";

const KEEP: HistoryOptions = { size: 1000, ttl: 120_000 };

let redis: RedisProcess;
const nodes = nodeFactory();

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(() => nodes.closeAll());
afterAll(async () => {
  await redis?.stop();
});

/** Two nodes ("hub processes") on one Redis with a shared prefix. */
async function twoNodes() {
  const prefix = nodes.prefix();
  const a = await nodes.start({ url: redis.url, prefix });
  const b = await nodes.start({ url: redis.url, prefix });
  return { a, b, prefix };
}

describe("two nodes on one Redis", () => {
  it("delivers what node A publishes to a subscriber on node B, in offset order", async () => {
    const { a, b } = await twoNodes();
    const ch = "job:7f3a";
    await b.broker.subscribe(ch);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        a.broker.publish({ channel: ch, event: "progress", data: { i }, history: KEEP }),
      ),
    );
    const delivered = await b.until(ch, 200);
    expect(delivered.map((event) => event.offset)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const byOffset = new Map(results.map((result, i) => [result.offset, i]));
    expect(
      delivered.every((event) => byOffset.get(event.offset) === (event.data as { i: number }).i),
    ).toBe(true);
    expect(new Set(delivered.map((event) => event.epoch))).toEqual(new Set([results[0]?.epoch]));
    // A is not subscribed: nothing comes back to it.
    expect(a.on(ch)).toEqual([]);
  });

  it("recovers on node B exactly what was published on node A", async () => {
    const { a, b } = await twoNodes();
    const ch = "sim:42";
    for (let i = 1; i <= 30; i++) {
      await a.broker.publish({ channel: ch, event: "e", data: i, history: KEEP });
    }
    const { epoch } = await a.broker.position(ch);
    expect(await b.broker.position(ch)).toEqual({ epoch, offset: 30 });
    const recovery = await b.broker.recover(ch, { epoch, offset: 25 });
    expect(recovery).toMatchObject({ epoch, offset: 30, recovered: true });
    expect(recovery.events.map((event) => [event.offset, event.data])).toEqual([
      [26, 26],
      [27, 27],
      [28, 28],
      [29, 29],
      [30, 30],
    ]);
    expect(recovery.events).toEqual((await a.broker.history(ch, { after: 25 })).events);
  });

  it("carries personal channels and binary data between nodes", async () => {
    const { a, b } = await twoNodes();
    const ch = "$user:alice";
    await b.broker.subscribe(ch);
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    await a.broker.publish({
      channel: ch,
      event: "file",
      data: { bytes, missing: undefined, when: 1e21 },
      history: KEEP,
    });
    const [event] = await b.until(ch, 1);
    const data = event?.data as { bytes: Uint8Array; missing: undefined; when: number };
    // Back as the Uint8Array it was, not as Node's Buffer subclass.
    expect(data.bytes).toEqual(bytes);
    expect(Buffer.isBuffer(data.bytes)).toBe(false);
    expect(Object.hasOwn(data, "missing")).toBe(true);
    expect(data.when).toBe(1e21);
    const [kept] = (await b.broker.history(ch)).events;
    expect((kept?.data as { bytes: Uint8Array } | undefined)?.bytes).toEqual(bytes);
  });

  it("deduplicates an idempotency key across nodes", async () => {
    const { a, b } = await twoNodes();
    const ch = "orders";
    await b.broker.subscribe(ch);
    const message = { channel: ch, event: "e", history: KEEP, idempotencyKey: "order-1" };
    const first = await a.broker.publish({ ...message, data: "first" });
    const retry = await b.broker.publish({ ...message, data: "retry" });
    expect(retry).toEqual({ ...first, duplicate: true });
    await a.broker.publish({ channel: ch, event: "e", data: "next", history: KEEP });
    const delivered = await b.until(ch, 2);
    expect(delivered.map((event) => event.data)).toEqual(["first", "next"]);
  });

  it("keeps one Redis subscription per channel per node", async () => {
    const { a, b, prefix } = await twoNodes();
    const ch = "equipment";
    const counter = createClient({ url: redis.url });
    await counter.connect();
    try {
      const subscribers = async () =>
        (await counter.pubSubNumSub(`${prefix}:events:${ch}`))[`${prefix}:events:${ch}`];
      await Promise.all([b.broker.subscribe(ch), b.broker.subscribe(ch), a.broker.subscribe(ch)]);
      expect(await subscribers()).toBe(2);
      await b.broker.unsubscribe(ch);
      expect(await subscribers()).toBe(1);
      await a.broker.unsubscribe(ch);
      expect(await subscribers()).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it("keeps channels with braces and colons in their names apart", async () => {
    const { a, b } = await twoNodes();
    const [x, y] = ["doc:{a}", "doc:{a}}"];
    await b.broker.subscribe(x);
    await b.broker.subscribe(y);
    await a.broker.publish({ channel: x, event: "e", data: "x", history: KEEP });
    await a.broker.publish({ channel: y, event: "e", data: "y", history: KEEP });
    expect((await b.until(x, 1)).map((event) => event.data)).toEqual(["x"]);
    expect((await b.until(y, 1)).map((event) => event.data)).toEqual(["y"]);
    expect((await b.broker.position(y)).offset).toBe(1);
  });
});
