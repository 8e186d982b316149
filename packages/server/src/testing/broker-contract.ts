import { SwitchyardError } from "@switchyard/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { Broker } from "../broker/broker.js";
import { streamContract } from "./broker-contract-streams.js";
import { createHarness, KEEP_ALL, offsets } from "./harness.js";

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
  const harness = createHarness(makeBroker, {
    ttlScale: options.ttlScale ?? 1,
    deliveryTimeout: options.deliveryTimeout ?? 5_000,
  });
  const { channel, make, open, settle } = harness;

  describe(`broker contract: ${name}`, () => {
    afterEach(() => harness.closeAll());

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
        // Epochs only name the lifetimes of one channel's stream: two channels may share one.
        expect([a1.offset, b1.offset, a2.offset]).toEqual([1, 1, 2]);
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

    streamContract(harness);
  });
}
