import { brokerContract } from "@switchyard/server/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BrokerEvent } from "../../src/broker/broker.js";
import {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
} from "../../src/broker/memory-broker.js";

brokerContract("memory", () => createMemoryBroker());

const HISTORY = { size: 100, ttl: 1_000 };

describe("memory broker", () => {
  const opened: MemoryBroker[] = [];
  let time = 1_000_000;
  const clock = () => time;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((broker) => broker.close()));
  });

  async function open(
    options: MemoryBrokerOptions = {},
    deliver: (event: BrokerEvent) => void = () => {},
  ): Promise<MemoryBroker> {
    const broker = createMemoryBroker({ now: clock, ...options });
    opened.push(broker);
    await broker.start(deliver);
    return broker;
  }

  describe("stream garbage collection", () => {
    it("forgets a stream idle for its ttl and starts the next one with a new epoch", async () => {
      const broker = await open();
      const first = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 1,
        history: HISTORY,
      });
      time += 999;
      expect(await broker.position("job:a")).toEqual({ epoch: first.epoch, offset: 1 });
      // The read above was activity: the stream lives until 1000 ms after it.
      time += 999;
      expect((await broker.position("job:a")).epoch).toBe(first.epoch);
      time += 1_000;
      const next = await broker.position("job:a");
      expect(next.offset).toBe(0);
      expect(next.epoch).not.toBe(first.epoch);
      const recovered = await broker.recover("job:a", { epoch: first.epoch ?? "", offset: 1 });
      expect(recovered).toEqual({ ...next, recovered: false, events: [] });
    });

    it("gives a forgotten channel a new epoch even though live streams share theirs", async () => {
      const broker = await open({ idleTtl: 1_000 });
      const a = await broker.position("job:a");
      const b = await broker.position("job:b");
      // Streams created together share one epoch string (it costs idle sessions nothing).
      expect(a.epoch).toBe(b.epoch);
      await broker.subscribe("job:b");
      time += 1_000;
      // job:a is forgotten (idle, unsubscribed); job:b is kept, with its epoch.
      const again = await broker.position("job:a");
      expect(again.epoch).not.toBe(a.epoch);
      expect(await broker.position("job:b")).toEqual(b);
      expect((await broker.recover("job:a", { epoch: a.epoch, offset: 0 })).recovered).toBe(false);
      expect((await broker.recover("job:b", { epoch: b.epoch, offset: 0 })).recovered).toBe(true);
    });

    it("restarts offsets from 1 in a new epoch when publishing to a forgotten stream", async () => {
      const broker = await open();
      const first = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 1,
        history: HISTORY,
      });
      time += 1_000;
      const second = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 2,
        history: HISTORY,
      });
      expect(second.offset).toBe(1);
      expect(second.epoch).not.toBe(first.epoch);
    });

    it("keeps the stream of a channel this node subscribes to", async () => {
      const broker = await open();
      await broker.subscribe("job:a");
      const first = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 1,
        history: HISTORY,
      });
      time += 10_000;
      expect(await broker.position("job:a")).toEqual({ epoch: first.epoch, offset: 1 });
      await broker.unsubscribe("job:a");
      time += 999;
      expect((await broker.position("job:a")).epoch).toBe(first.epoch);
      time += 1_000;
      expect((await broker.position("job:a")).epoch).not.toBe(first.epoch);
    });

    it("uses idleTtl for streams that never had an event", async () => {
      const broker = await open({ idleTtl: 500 });
      const first = await broker.position("job:a");
      time += 499;
      expect(await broker.position("job:a")).toEqual(first);
      time += 500;
      expect((await broker.position("job:a")).epoch).not.toBe(first.epoch);
    });

    it("frees idle streams, old events and expired keys in the periodic sweep", async () => {
      const broker = await open({ sweepInterval: 5, dedupWindow: 1_000 });
      for (let i = 0; i < 50; i++) {
        await broker.publish({ channel: `job:${i}`, event: "e", data: i, history: HISTORY });
      }
      await broker.publish({ channel: "job:x", event: "e", data: null, idempotencyKey: "k" });
      await broker.subscribe("job:kept");
      await broker.publish({ channel: "job:kept", event: "e", data: 1, history: HISTORY });
      expect(broker.stats()).toEqual({ streams: 51, events: 51, idempotencyKeys: 1 });
      time += 1_000;
      await vi.waitFor(() => {
        expect(broker.stats()).toEqual({ streams: 1, events: 0, idempotencyKeys: 0 });
      });
    });

    it("does not keep the process alive with its sweep timer", async () => {
      const timers = () =>
        process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
      const before = timers();
      await open({ sweepInterval: 5 });
      expect(timers()).toBe(before);
    });
  });

  describe("idempotency window", () => {
    it("forgets a key after the window", async () => {
      const broker = await open({ dedupWindow: 1_000 });
      const history = { size: 100, ttl: 60_000 };
      const message = { channel: "job:a", event: "e", data: 1, history };
      await broker.publish({ ...message, idempotencyKey: "k" });
      time += 999;
      expect((await broker.publish({ ...message, idempotencyKey: "k" })).duplicate).toBe(true);
      time += 1;
      const again = await broker.publish({ ...message, idempotencyKey: "k" });
      expect(again).toMatchObject({ duplicate: false, offset: 2 });
    });

    it("forgets the oldest key past maxIdempotencyKeys", async () => {
      const broker = await open({ maxIdempotencyKeys: 2 });
      const publish = (idempotencyKey: string) =>
        broker.publish({ channel: "job:a", event: "e", data: 1, idempotencyKey });
      await publish("a");
      await publish("b");
      await publish("c");
      expect(broker.stats().idempotencyKeys).toBe(2);
      expect((await publish("c")).duplicate).toBe(true);
      expect((await publish("a")).duplicate).toBe(false);
    });
  });

  describe("age retention", () => {
    it("drops events older than ttl while the stream keeps its epoch and offsets", async () => {
      const broker = await open();
      const first = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 1,
        history: HISTORY,
      });
      time += 600;
      await broker.publish({ channel: "job:a", event: "e", data: 2, history: HISTORY });
      time += 400;
      const page = await broker.history("job:a");
      expect(page.epoch).toBe(first.epoch);
      expect(page.events.map((event) => [event.offset, event.data])).toEqual([[2, 2]]);
      const epoch = first.epoch ?? "";
      expect((await broker.recover("job:a", { epoch, offset: 0 })).recovered).toBe(false);
      const fromOne = await broker.recover("job:a", { epoch, offset: 1 });
      expect(fromOne.recovered).toBe(true);
      expect(fromOne.events.map((event) => event.offset)).toEqual([2]);
      const third = await broker.publish({
        channel: "job:a",
        event: "e",
        data: 3,
        history: HISTORY,
      });
      expect(third).toMatchObject({ epoch, offset: 3 });
    });

    it("applies the newest publish's retention to the whole stream", async () => {
      const broker = await open();
      for (let i = 1; i <= 5; i++) {
        await broker.publish({ channel: "job:a", event: "e", data: i, history: HISTORY });
      }
      await broker.publish({
        channel: "job:a",
        event: "e",
        data: 6,
        history: { size: 2, ttl: 1_000 },
      });
      const page = await broker.history("job:a");
      expect(page.events.map((event) => event.offset)).toEqual([5, 6]);
      expect(broker.stats().events).toBe(2);
    });
  });

  describe("delivery", () => {
    it("delivers events published from inside deliver after the current one, in order", async () => {
      const log: string[] = [];
      const broker = await open({}, (event) => {
        log.push(`begin ${event.offset}`);
        if (event.offset === 1) {
          void broker.publish({ channel: "job:a", event: "e", data: 2, history: HISTORY });
        }
        log.push(`end ${event.offset}`);
      });
      await broker.subscribe("job:a");
      await broker.publish({ channel: "job:a", event: "e", data: 1, history: HISTORY });
      expect(log).toEqual(["begin 1", "end 1", "begin 2", "end 2"]);
    });

    it("reports a throwing deliver to onError and keeps publishing", async () => {
      const failures: Array<[unknown, BrokerEvent]> = [];
      const delivered: unknown[] = [];
      const broker = await open(
        { onError: (error, event) => failures.push([error, event]) },
        (event) => {
          if (event.data === "bad") throw new Error("boom");
          delivered.push(event.data);
        },
      );
      await broker.subscribe("job:a");
      const result = await broker.publish({
        channel: "job:a",
        event: "e",
        data: "bad",
        history: HISTORY,
      });
      await broker.publish({ channel: "job:a", event: "e", data: "good", history: HISTORY });
      expect(result.offset).toBe(1);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.[0]).toBeInstanceOf(Error);
      expect(failures[0]?.[1]).toMatchObject({ data: "bad", offset: 1 });
      expect(delivered).toEqual(["good"]);
    });

    it("hands the node the same event object it keeps, once per publish", async () => {
      const delivered: BrokerEvent[] = [];
      const broker = await open({}, (event) => delivered.push(event));
      await broker.subscribe("job:a");
      await broker.publish({ channel: "job:a", event: "e", data: 1, history: HISTORY });
      const page = await broker.history("job:a");
      expect(delivered).toHaveLength(1);
      expect(page.events[0]).toBe(delivered[0]);
    });
  });

  describe("lifecycle", () => {
    it("rejects use before start, a second start, and a start after close", async () => {
      const broker = createMemoryBroker();
      opened.push(broker);
      await expect(broker.publish({ channel: "job:a", event: "e", data: 1 })).rejects.toMatchObject(
        { code: "internal_error", message: "broker not started" },
      );
      await expect(broker.position("job:a")).rejects.toMatchObject({ code: "internal_error" });
      await broker.start(() => {});
      await expect(broker.start(() => {})).rejects.toMatchObject({ code: "internal_error" });
      await broker.close();
      await expect(broker.start(() => {})).rejects.toMatchObject({ message: "broker closed" });
      await expect(broker.history("job:a")).rejects.toMatchObject({ message: "broker closed" });
    });

    it("rejects invalid retention", async () => {
      const broker = await open();
      for (const history of [
        { size: -1, ttl: 1_000 },
        { size: 1.5, ttl: 1_000 },
        { size: 10, ttl: Number.NaN },
      ]) {
        await expect(
          broker.publish({ channel: "job:a", event: "e", data: 1, history }),
        ).rejects.toMatchObject({ code: "internal_error" });
      }
      expect((await broker.position("job:a")).offset).toBe(0);
    });

    it("assigns offsets but keeps nothing with size 0", async () => {
      const broker = await open();
      const history = { size: 0, ttl: 1_000 };
      await broker.publish({ channel: "job:a", event: "e", data: 1, history });
      const second = await broker.publish({ channel: "job:a", event: "e", data: 2, history });
      expect(second.offset).toBe(2);
      expect((await broker.history("job:a")).events).toEqual([]);
      const recovered = await broker.recover("job:a", { epoch: second.epoch ?? "", offset: 1 });
      expect(recovered.recovered).toBe(false);
    });
  });
});
