import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { SwitchyardError } from "@switchyard/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { Broker, BrokerEvent, HistoryOptions } from "../broker/broker.js";

/** Options of {@link brokerContract}. */
export interface BrokerContractOptions {
  /**
   * Multiplies the short ttls of the age-retention tests, for brokers whose clock is coarse
   * or whose store is slower to answer.
   * @default 1
   */
  ttlScale?: number;
  /**
   * Milliseconds to wait for an expected delivery before the test fails.
   * @default 5_000
   */
  deliveryTimeout?: number;
}

/** Retention large enough that nothing is trimmed during a test. */
const KEEP_ALL: HistoryOptions = { size: 1000, ttl: 120_000 };

/** Records what the broker delivers to its node and lets a test wait for it. */
class Deliveries {
  readonly events: BrokerEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly timeout: number) {}

  readonly deliver = (event: BrokerEvent): void => {
    this.events.push(event);
    for (const wake of this.waiters) wake();
  };

  /** The events delivered on `channel`, in delivery order. */
  on(channel: string): BrokerEvent[] {
    return this.events.filter((event) => event.channel === channel);
  }

  /** Resolves with the events of `channel` once it has at least `count` of them. */
  async until(channel: string, count: number): Promise<BrokerEvent[]> {
    const enough = () => this.on(channel).length >= count;
    if (!enough()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          const got = this.on(channel).length;
          reject(new Error(`expected ${count} deliveries on ${channel} but got ${got}`));
        }, this.timeout);
        const wake = () => {
          if (!enough()) return;
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
    return this.on(channel);
  }
}

/** A started broker under test and what it delivered. */
interface Node {
  broker: Broker;
  deliveries: Deliveries;
}

/**
 * The contract every broker implementation passes. Call it at the top level of a test file;
 * it registers a `describe` block and closes every broker it made after each test.
 *
 * Channel names are unique per run, so a broker backed by a shared store (Redis) may keep
 * its data between runs. Tests that prove an event was *not* delivered publish a marker on
 * another channel afterwards and wait for it: they assume a node receives one publisher's
 * events in publish order across channels.
 *
 * @example
 * import { brokerContract } from "@switchyard/server/testing";
 * import { createMemoryBroker } from "@switchyard/server";
 *
 * brokerContract("memory", () => createMemoryBroker());
 */
export function brokerContract(
  name: string,
  makeBroker: () => Broker | Promise<Broker>,
  options: BrokerContractOptions = {},
): void {
  const ttlScale = options.ttlScale ?? 1;
  const deliveryTimeout = options.deliveryTimeout ?? 5_000;
  const run = randomUUID().slice(0, 8);
  let serial = 0;
  const opened: Broker[] = [];

  /** A channel name no other test (or earlier run) used. */
  const channel = (label = "ch") => `contract-${run}:${label}-${++serial}`;

  async function make(): Promise<Broker> {
    const broker = await makeBroker();
    opened.push(broker);
    return broker;
  }

  async function open(): Promise<Node> {
    const broker = await make();
    const deliveries = new Deliveries(deliveryTimeout);
    await broker.start(deliveries.deliver);
    return { broker, deliveries };
  }

  /** Waits until everything published before it has been delivered (see the TSDoc above). */
  async function settle({ broker, deliveries }: Node): Promise<void> {
    const marker = channel("marker");
    await broker.subscribe(marker);
    await broker.publish({ channel: marker, event: "marker", data: null });
    await deliveries.until(marker, 1);
  }

  /** Publishes `count` events with history on `ch`, one after another. */
  async function fill(broker: Broker, ch: string, count: number, history = KEEP_ALL) {
    for (let i = 1; i <= count; i++) {
      await broker.publish({ channel: ch, event: "e", data: i, history });
    }
  }

  const offsets = (events: BrokerEvent[]) => events.map((event) => event.offset);

  describe(`broker contract: ${name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((broker) => broker.close()));
    });

    describe("lifecycle", () => {
      it("is ready between start and close", async () => {
        const broker = await make();
        expect(broker.ready()).toBe(false);
        await broker.start(() => {});
        expect(broker.ready()).toBe(true);
        await broker.close();
        expect(broker.ready()).toBe(false);
        await expect(broker.close()).resolves.toBeUndefined();
      });

      it("rejects publishes after close with a SwitchyardError", async () => {
        const { broker } = await open();
        await broker.close();
        const publish = broker.publish({ channel: channel(), event: "e", data: 1 });
        await expect(publish).rejects.toBeInstanceOf(SwitchyardError);
        await expect(publish).rejects.toMatchObject({ code: "internal_error" });
      });
    });

    describe("delivery", () => {
      it("delivers events on subscribed channels with channel, event, data and timestamp", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const result = await node.broker.publish({ channel: ch, event: "hello", data: { a: 1 } });
        const [event] = await node.deliveries.until(ch, 1);
        expect(event).toMatchObject({ channel: ch, event: "hello", data: { a: 1 } });
        expect(event?.timestamp).toBe(result.timestamp);
        expect(result.duplicate).toBe(false);
      });

      it("stamps events with the publish time in milliseconds", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const result = await node.broker.publish({ channel: ch, event: "e", data: null });
        const [event] = await node.deliveries.until(ch, 1);
        expect(Number.isInteger(result.timestamp)).toBe(true);
        // Loose bound: a broker may take its clock from a store on another machine.
        expect(Math.abs(result.timestamp - Date.now())).toBeLessThan(60_000);
        expect(event?.timestamp).toBe(result.timestamp);
      });

      it("does not deliver events of channels this node did not subscribe to", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.publish({ channel: ch, event: "e", data: 1 });
        await node.broker.publish({ channel: ch, event: "e", data: 2, history: KEEP_ALL });
        await settle(node);
        expect(node.deliveries.on(ch)).toEqual([]);
      });

      it("stops delivering after unsubscribe", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        await node.broker.publish({ channel: ch, event: "e", data: "before" });
        await node.deliveries.until(ch, 1);
        await node.broker.unsubscribe(ch);
        await node.broker.publish({ channel: ch, event: "e", data: "after" });
        await settle(node);
        expect(node.deliveries.on(ch).map((event) => event.data)).toEqual(["before"]);
      });

      it("delivers once per node even when subscribed twice", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        await node.broker.subscribe(ch);
        await node.broker.publish({ channel: ch, event: "e", data: 1 });
        await settle(node);
        expect(node.deliveries.on(ch)).toHaveLength(1);
      });

      it("round-trips data of every JSON type", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const values: unknown[] = [
          { id: 7, name: "job", done: false },
          [1, "two", { three: 3 }, [4]],
          'text with "quotes", unicode ✓ and\nnewlines',
          "",
          0,
          -12.5,
          1e21,
          true,
          null,
          { deep: { nested: { list: [{ a: null }, { b: [true, false] }] } }, empty: {}, none: [] },
        ];
        for (const data of values) {
          await node.broker.publish({ channel: ch, event: "e", data, history: KEEP_ALL });
        }
        const delivered = await node.deliveries.until(ch, values.length);
        expect(delivered.map((event) => event.data)).toEqual(values);
        const page = await node.broker.history(ch);
        expect(page.events.map((event) => event.data)).toEqual(values);
      });

      it("keeps each channel's order when channels are interleaved", async () => {
        const node = await open();
        const [a, b] = [channel("a"), channel("b")];
        await node.broker.subscribe(a);
        await node.broker.subscribe(b);
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            node.broker.publish({ channel: i % 2 ? a : b, event: "e", data: i, history: KEEP_ALL }),
          ),
        );
        const onA = await node.deliveries.until(a, 20);
        const onB = await node.deliveries.until(b, 20);
        const expected = Array.from({ length: 20 }, (_, i) => i + 1);
        expect(offsets(onA)).toEqual(expected);
        expect(offsets(onB)).toEqual(expected);
      });
    });

    describe("offsets and epochs", () => {
      it("assigns no offset or epoch and keeps nothing without history", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const result = await node.broker.publish({ channel: ch, event: "e", data: 1 });
        const [event] = await node.deliveries.until(ch, 1);
        expect(result.offset).toBeUndefined();
        expect(result.epoch).toBeUndefined();
        expect(event?.offset).toBeUndefined();
        expect(event?.epoch).toBeUndefined();
        const page = await node.broker.history(ch);
        expect(page.events).toEqual([]);
        expect(page.offset).toBe(0);
      });

      it("numbers events from 1 with one epoch carried by results and events", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const results = [];
        for (const data of ["a", "b", "c"]) {
          results.push(
            await node.broker.publish({ channel: ch, event: "e", data, history: KEEP_ALL }),
          );
        }
        expect(results.map((result) => result.offset)).toEqual([1, 2, 3]);
        const epoch = results[0]?.epoch;
        expect(epoch).toMatch(/^[0-9a-z]{8,16}$/);
        expect(results.map((result) => result.epoch)).toEqual([epoch, epoch, epoch]);
        const delivered = await node.deliveries.until(ch, 3);
        expect(delivered.map(({ offset, epoch, data }) => ({ offset, epoch, data }))).toEqual([
          { offset: 1, epoch, data: "a" },
          { offset: 2, epoch, data: "b" },
          { offset: 3, epoch, data: "c" },
        ]);
      });

      it("gives 500 concurrent publishes the offsets 1..500 and delivers them in order", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const results = await Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            node.broker.publish({ channel: ch, event: "e", data: i, history: KEEP_ALL }),
          ),
        );
        const expected = Array.from({ length: 500 }, (_, i) => i + 1);
        const assigned = results.map((result) => result.offset ?? 0).sort((x, y) => x - y);
        expect(assigned).toEqual(expected);
        const delivered = await node.deliveries.until(ch, 500);
        expect(offsets(delivered)).toEqual(expected);
        // Each event is delivered with the offset its publish was given.
        const dataByOffset = new Map(results.map((result, i) => [result.offset, i]));
        expect(delivered.every((event) => dataByOffset.get(event.offset) === event.data)).toBe(
          true,
        );
      });

      it("keeps two channels independent", async () => {
        const node = await open();
        const [a, b] = [channel("a"), channel("b")];
        await node.broker.subscribe(a);
        const a1 = await node.broker.publish({
          channel: a,
          event: "e",
          data: "a1",
          history: KEEP_ALL,
        });
        const b1 = await node.broker.publish({
          channel: b,
          event: "e",
          data: "b1",
          history: KEEP_ALL,
        });
        const a2 = await node.broker.publish({
          channel: a,
          event: "e",
          data: "a2",
          history: KEEP_ALL,
        });
        expect([a1.offset, b1.offset, a2.offset]).toEqual([1, 1, 2]);
        expect(a1.epoch).not.toBe(b1.epoch);
        expect((await node.broker.history(a)).events.map((event) => event.data)).toEqual([
          "a1",
          "a2",
        ]);
        expect((await node.broker.history(b)).events.map((event) => event.data)).toEqual(["b1"]);
        await settle(node);
        expect(node.deliveries.on(a).map((event) => event.data)).toEqual(["a1", "a2"]);
        expect(node.deliveries.on(b)).toEqual([]);
      });
    });

    describe("position", () => {
      it("starts a new channel at offset 0 with an epoch that stays", async () => {
        const { broker } = await open();
        const ch = channel();
        const first = await broker.position(ch);
        expect(first.offset).toBe(0);
        expect(first.epoch).toMatch(/^[0-9a-z]{8,16}$/);
        expect(await broker.position(ch)).toEqual(first);
        const result = await broker.publish({
          channel: ch,
          event: "e",
          data: 1,
          history: KEEP_ALL,
        });
        expect(result).toMatchObject({ offset: 1, epoch: first.epoch });
      });

      it("reports the offset of the newest event", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 4);
        const last = await broker.publish({ channel: ch, event: "e", data: 5, history: KEEP_ALL });
        expect(await broker.position(ch)).toEqual({ epoch: last.epoch, offset: 5 });
      });
    });

    describe("recover", () => {
      it("returns exactly the events after the position, in order", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        await fill(node.broker, ch, 5);
        const delivered = await node.deliveries.until(ch, 5);
        const { epoch } = await node.broker.position(ch);
        const fromStart = await node.broker.recover(ch, { epoch, offset: 0 });
        expect(fromStart).toMatchObject({ epoch, offset: 5, recovered: true });
        expect(fromStart.events).toEqual(delivered);
        const fromTwo = await node.broker.recover(ch, { epoch, offset: 2 });
        expect(fromTwo.recovered).toBe(true);
        expect(offsets(fromTwo.events)).toEqual([3, 4, 5]);
        expect(fromTwo.events.map((event) => event.data)).toEqual([3, 4, 5]);
      });

      it("recovers nothing, successfully, from the current position", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 3);
        const position = await broker.position(ch);
        expect(await broker.recover(ch, position)).toEqual({
          ...position,
          recovered: true,
          events: [],
        });
      });

      it("refuses another epoch and answers with the current position", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 3);
        const position = await broker.position(ch);
        const result = await broker.recover(ch, { epoch: "someotherepoch", offset: 1 });
        expect(result).toEqual({ ...position, recovered: false, events: [] });
      });

      it("refuses a position ahead of the channel", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 3);
        const { epoch } = await broker.position(ch);
        const result = await broker.recover(ch, { epoch, offset: 4 });
        expect(result).toEqual({ epoch, offset: 3, recovered: false, events: [] });
      });

      it("refuses an unknown channel's made-up position", async () => {
        const { broker } = await open();
        const ch = channel();
        const result = await broker.recover(ch, { epoch: "madeupepoch1", offset: 3 });
        expect(result.recovered).toBe(false);
        expect(result.offset).toBe(0);
        expect(result.events).toEqual([]);
        expect(await broker.position(ch)).toEqual({ epoch: result.epoch, offset: 0 });
      });

      it("recovers only while every missed event is still kept", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 5, { size: 3, ttl: 120_000 });
        const { epoch } = await broker.position(ch);
        // Events 3, 4, 5 are kept: a client that saw 2 missed nothing that is gone.
        const fromTwo = await broker.recover(ch, { epoch, offset: 2 });
        expect(fromTwo.recovered).toBe(true);
        expect(offsets(fromTwo.events)).toEqual([3, 4, 5]);
        const fromOne = await broker.recover(ch, { epoch, offset: 1 });
        expect(fromOne).toEqual({ epoch, offset: 5, recovered: false, events: [] });
      });
    });

    describe("history", () => {
      it("pages forward after an offset", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 10);
        const page = await broker.history(ch, { after: 3, limit: 4 });
        expect(offsets(page.events)).toEqual([4, 5, 6, 7]);
        expect(page.offset).toBe(10);
        expect(offsets((await broker.history(ch, { after: 8 })).events)).toEqual([9, 10]);
        expect((await broker.history(ch, { after: 10 })).events).toEqual([]);
      });

      it("returns the newest events in offset order without `after`", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 120);
        const newest = await broker.history(ch, { limit: 3 });
        expect(offsets(newest.events)).toEqual([118, 119, 120]);
        const page = await broker.history(ch);
        expect(offsets(page.events)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21));
        expect(page.events[0]).toMatchObject({ channel: ch, event: "e", data: 21 });
        expect(page.events[0]?.epoch).toBe(page.epoch);
      });
    });

    describe("retention", () => {
      it("keeps at most `size` events", async () => {
        const { broker } = await open();
        const ch = channel();
        await fill(broker, ch, 8, { size: 3, ttl: 120_000 });
        const page = await broker.history(ch, { after: 0 });
        expect(offsets(page.events)).toEqual([6, 7, 8]);
        expect(page.offset).toBe(8);
      });

      it("keeps no event older than `ttl`", async () => {
        const { broker } = await open();
        const ch = channel();
        const ttl = 150 * ttlScale;
        const history = { size: 100, ttl };
        await broker.publish({ channel: ch, event: "e", data: "old", history });
        const { epoch } = await broker.position(ch);
        // Age is what is under test, so time itself has to pass (this is not synchronisation).
        await delay(ttl + 100 * ttlScale);
        const page = await broker.history(ch);
        expect(page.events).toEqual([]);
        expect((await broker.recover(ch, { epoch, offset: 0 })).recovered).toBe(false);
        const next = await broker.publish({ channel: ch, event: "e", data: "new", history });
        const after = await broker.history(ch);
        expect(after.events.map((event) => event.data)).toEqual(["new"]);
        // An idle stream may be forgotten once its events expired; it then restarts in a new
        // epoch. Either way offsets never repeat within an epoch.
        expect(next.offset).toBe(next.epoch === epoch ? 2 : 1);
      });
    });

    describe("idempotency", () => {
      it("answers a repeated key with the first result and delivers nothing", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const message = { channel: ch, event: "e", history: KEEP_ALL, idempotencyKey: "k1" };
        const first = await node.broker.publish({ ...message, data: "first" });
        const again = await node.broker.publish({ ...message, data: "retry" });
        expect(first.duplicate).toBe(false);
        expect(again).toEqual({ ...first, duplicate: true });
        const next = await node.broker.publish({
          channel: ch,
          event: "e",
          data: "next",
          history: KEEP_ALL,
        });
        expect(next.offset).toBe(2);
        await settle(node);
        expect(node.deliveries.on(ch).map((event) => event.data)).toEqual(["first", "next"]);
        expect((await node.broker.history(ch)).events.map((event) => event.data)).toEqual([
          "first",
          "next",
        ]);
      });

      it("treats the same key on another channel as another publish", async () => {
        const node = await open();
        const [a, b] = [channel("a"), channel("b")];
        await node.broker.subscribe(b);
        await node.broker.publish({ channel: a, event: "e", data: 1, idempotencyKey: "same" });
        const onB = await node.broker.publish({
          channel: b,
          event: "e",
          data: 2,
          history: KEEP_ALL,
          idempotencyKey: "same",
        });
        expect(onB).toMatchObject({ duplicate: false, offset: 1 });
        const [event] = await node.deliveries.until(b, 1);
        expect(event?.data).toBe(2);
      });

      it("deduplicates publishes without history too", async () => {
        const node = await open();
        const ch = channel();
        await node.broker.subscribe(ch);
        const first = await node.broker.publish({
          channel: ch,
          event: "e",
          data: 1,
          idempotencyKey: "k",
        });
        const again = await node.broker.publish({
          channel: ch,
          event: "e",
          data: 1,
          idempotencyKey: "k",
        });
        expect(again).toEqual({ ...first, duplicate: true });
        await settle(node);
        expect(node.deliveries.on(ch)).toHaveLength(1);
      });
    });
  });
}
