import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ControlMessage } from "../src/index.js";
import { nodeFactory, Recorder } from "./helpers/nodes.js";
import { RedisProcess } from "./helpers/redis-process.js";

let redis: RedisProcess;
const nodes = nodeFactory();

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(async () => {
  await nodes.closeAll();
  if (!redis.running) await redis.restart();
});
afterAll(async () => {
  await redis?.stop();
});

async function first(seen: Recorder<ControlMessage> | undefined, what: string) {
  const [message] = (await seen?.until((items) => items.length > 0, what)) ?? [];
  if (message === undefined) throw new Error(`no ${what}`);
  return message;
}

describe("control messages", () => {
  it("reach every node, the sender included", async () => {
    const prefix = nodes.prefix();
    const a = await nodes.start({ url: redis.url, prefix });
    const b = await nodes.start({ url: redis.url, prefix });
    const other = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    const [onA, onB, onOther] = [a, b, other].map((node) => {
      const seen = new Recorder<ControlMessage>();
      node.broker.control.onMessage(seen.push);
      return seen;
    });
    const receivers = await a.broker.control.send("disconnect", { userId: "u1" });
    expect(receivers).toBe(2);
    const expected = { type: "disconnect", data: { userId: "u1" }, from: a.broker.nodeId };
    expect(await first(onA, "a message on A")).toEqual(expected);
    expect(await first(onB, "a message on B")).toEqual(expected);
    // Another prefix is another cluster: its first message is its own.
    await other.broker.control.send("marker");
    expect((await first(onOther, "the marker")).type).toBe("marker");
  });

  it("stops calling a handler that was removed", async () => {
    const node = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    const removed = new Recorder<ControlMessage>();
    const kept = new Recorder<ControlMessage>();
    const stop = node.broker.control.onMessage(removed.push);
    node.broker.control.onMessage(kept.push);
    stop();
    await node.broker.control.send("ping");
    await first(kept, "the message on the kept handler");
    expect(removed.items).toEqual([]);
  });

  it("still arrive after Redis restarted", async () => {
    const node = await nodes.start({ url: redis.url, prefix: nodes.prefix() });
    const seen = new Recorder<ControlMessage>();
    node.broker.control.onMessage(seen.push);
    await redis.restart();
    await node.readiness.until((changes) => changes.includes(false), "not ready");
    await node.readiness.until((changes) => changes.at(-1) === true, "ready again");
    expect(await node.broker.control.send("after-restart")).toBe(1);
    expect((await first(seen, "the message")).type).toBe("after-restart");
  });
});
