import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SwitchyardError } from "@switchyard/protocol";
import type { BrokerPublishResult, HistoryOptions } from "@switchyard/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisBroker } from "../src/index.js";
import { nodeFactory, type TestNode } from "./helpers/nodes.js";
import { freePort, RedisProcess } from "./helpers/redis-process.js";

const KEEP: HistoryOptions = { size: 10_000, ttl: 120_000 };

let redis: RedisProcess;
const nodes = nodeFactory();
const stoppers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterEach(async () => {
  await Promise.all(stoppers.splice(0).map((stop) => stop()));
  await nodes.closeAll();
  if (!redis.running) await redis.restart();
});
afterAll(async () => {
  await redis?.stop();
});

/** Publishes data 0, 1, 2, … on `channel` from `node` until stopped, riding out outages. */
function publishLoop(node: TestNode, channel: string) {
  const results: { data: number; result: BrokerPublishResult }[] = [];
  const failures: unknown[] = [];
  let stopped = false;
  let wake = () => {};
  const stopping = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const done = (async () => {
    for (let data = 0; !stopped; data++) {
      try {
        const result = await node.broker.publish({ channel, event: "e", data, history: KEEP });
        results.push({ data, result });
      } catch (error) {
        failures.push(error);
        // Wait for the node's readiness to change instead of spinning while Redis is down.
        if (!stopped) await Promise.race([node.readiness.next("a readiness change"), stopping]);
      }
    }
  })();
  const stop = async () => {
    stopped = true;
    wake();
    await done;
  };
  stoppers.push(stop);
  return { results, failures, stop };
}

describe("Redis restarts mid-stream (no persistence)", () => {
  it("goes unready, comes back, resubscribes, reports the channels, and refuses old positions", async () => {
    const prefix = nodes.prefix();
    const publisher = await nodes.start({ url: redis.url, prefix });
    const subscriber = await nodes.start({ url: redis.url, prefix });
    const ch = "job:restart";
    await subscriber.broker.subscribe(ch);
    const loop = publishLoop(publisher, ch);
    await subscriber.until(ch, 50);
    const before = subscriber.on(ch).at(-1);
    const old = { epoch: before?.epoch ?? "", offset: before?.offset ?? 0 };

    await redis.restart();
    await subscriber.readiness.until((seen) => seen.includes(false), "not ready");
    await subscriber.resets.until(
      (resets) => resets.some((channels) => channels.includes(ch)),
      "the channel reported reset",
    );
    await subscriber.readiness.until((seen) => seen.at(-1) === true, "ready again");
    expect(subscriber.broker.ready()).toBe(true);
    // Subscriptions resume: events of the new epoch reach the subscriber again.
    await subscriber.events.until(
      (events) => events.filter((e) => e.channel === ch && e.epoch !== old.epoch).length >= 20,
      "20 events after the restart",
    );
    await loop.stop();

    // Publishes failed while Redis was down (with a SwitchyardError), then worked again.
    expect(loop.failures.length).toBeGreaterThan(0);
    expect(loop.failures.every((error) => error instanceof SwitchyardError)).toBe(true);
    const fresh = loop.results.filter(({ result }) => result.epoch !== old.epoch);
    expect(fresh.length).toBeGreaterThanOrEqual(20);
    const epoch = fresh[0]?.result.epoch ?? "";
    expect(fresh.map(({ result }) => result.offset)).toEqual(fresh.map((_, i) => i + 1));

    // The history was lost with Redis: the old position cannot be recovered, never a gap.
    const recovery = await subscriber.broker.recover(ch, old);
    expect(recovery).toMatchObject({ recovered: false, events: [], epoch });
    // The new epoch's history holds exactly what was published since, in order.
    const replay = await subscriber.broker.recover(ch, { epoch, offset: 0 });
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((event) => event.data)).toEqual(fresh.map(({ data }) => data));
    // What the subscriber got live in the new epoch is a gap-free run of that history.
    const live = subscriber.on(ch).filter((event) => event.epoch === epoch);
    const first = live[0]?.offset ?? 0;
    expect(live.map((event) => event.offset)).toEqual(live.map((_, i) => first + i));
  });

  it("subscribes channels asked for while Redis is down once it is back, and reports them", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix });
    await redis.stop();
    await node.readiness.until((seen) => seen.at(-1) === false, "not ready");
    expect(node.broker.ready()).toBe(false);
    await expect(node.broker.position("late")).rejects.toBeInstanceOf(SwitchyardError);
    await node.broker.subscribe("late");
    await redis.restart();
    await node.resets.until((resets) => resets.some((c) => c.includes("late")), "late reset");
    await node.readiness.until((seen) => seen.at(-1) === true, "ready again");
    await node.broker.publish({ channel: "late", event: "e", data: "after" });
    expect((await node.until("late", 1)).map((event) => event.data)).toEqual(["after"]);
  });
});

describe("Redis restarts with persistence (appendfsync always)", () => {
  async function persistentRedis() {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-redis-"));
    const server = await RedisProcess.start({
      args: ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always"],
    });
    stoppers.push(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    return server;
  }

  async function publishRestartRecover(durableRedis: boolean) {
    const server = await persistentRedis();
    const node = await nodes.start({ url: server.url, prefix: nodes.prefix(), durableRedis });
    for (let i = 1; i <= 5; i++) {
      await node.broker.publish({ channel: "p", event: "e", data: i, history: KEEP });
    }
    const { epoch } = await node.broker.position("p");
    await server.restart();
    await node.readiness.until((seen) => seen.includes(false), "not ready");
    await node.readiness.until((seen) => seen.at(-1) === true, "ready again");
    return { epoch, recovery: await node.broker.recover("p", { epoch, offset: 2 }) };
  }

  it("starts a new epoch by default: a restored Redis may lack the newest events", async () => {
    const { epoch, recovery } = await publishRestartRecover(false);
    expect(recovery.recovered).toBe(false);
    expect(recovery.epoch).not.toBe(epoch);
    expect(recovery.offset).toBe(0);
  });

  it("recovers across the restart with durableRedis", async () => {
    const { epoch, recovery } = await publishRestartRecover(true);
    expect(recovery).toMatchObject({ epoch, offset: 5, recovered: true });
    expect(recovery.events.map((event) => event.data)).toEqual([3, 4, 5]);
  });
});

describe("history lost while connected (FLUSHALL)", () => {
  it("starts a new epoch and reports the channel before delivering its first event", async () => {
    const prefix = nodes.prefix();
    const node = await nodes.start({ url: redis.url, prefix });
    const ch = "settings:physics";
    await node.broker.subscribe(ch);
    for (let i = 1; i <= 3; i++) {
      await node.broker.publish({ channel: ch, event: "e", data: i, history: KEEP });
    }
    await node.until(ch, 3);
    const old = await node.broker.position(ch);
    await redis.flushall();
    const next = await node.broker.publish({ channel: ch, event: "e", data: 4, history: KEEP });
    expect(next.epoch).not.toBe(old.epoch);
    expect(next.offset).toBe(1);
    const delivered = await node.until(ch, 4);
    expect(node.wasReset(ch)).toBe(true);
    expect(delivered.at(-1)).toMatchObject({ epoch: next.epoch, offset: 1, data: 4 });
    expect((await node.broker.recover(ch, old)).recovered).toBe(false);
  });
});

/** A port that refuses Redis: it accepts connections and drops them at once. */
async function deadPort(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  stoppers.push(async () => {
    server.close();
    await once(server, "close");
  });
  return (server.address() as AddressInfo).port;
}

describe("Redis unreachable at start", () => {
  it("rejects start with a clear error after startTimeout", async () => {
    const port = await deadPort();
    const broker = createRedisBroker({
      url: `redis://user:secret@127.0.0.1:${port}`,
      startTimeout: 300,
      reconnect: { initialDelay: 20, maxDelay: 50 },
    });
    const start = broker.start(() => {});
    await expect(start).rejects.toBeInstanceOf(SwitchyardError);
    await expect(start).rejects.toThrow(
      new RegExp(`Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}.* is unreachable`),
    );
    expect(broker.ready()).toBe(false);
    await expect(broker.close()).resolves.toBeUndefined();
  });

  it("stops trying when closed during start", async () => {
    const broker = createRedisBroker({ url: `redis://127.0.0.1:${await deadPort()}` });
    const start = broker.start(() => {});
    await broker.close();
    await expect(start).rejects.toMatchObject({ code: "internal_error", message: "broker closed" });
    expect(broker.ready()).toBe(false);
  });

  it("keeps trying until Redis comes up within startTimeout", async () => {
    const port = await freePort();
    const broker = createRedisBroker({
      url: `redis://127.0.0.1:${port}`,
      startTimeout: 8_000,
      reconnect: { initialDelay: 20, maxDelay: 100 },
      prefix: nodes.prefix(),
    });
    const started = broker.start(() => {});
    const late = await RedisProcess.start({ port });
    try {
      await started;
      expect(broker.ready()).toBe(true);
      const result = await broker.publish({ channel: "c", event: "e", data: 1, history: KEEP });
      expect(result.offset).toBe(1);
    } finally {
      await broker.close();
      await late.stop();
    }
  });
});
