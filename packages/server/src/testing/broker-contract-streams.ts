import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type ContractHarness, KEEP_ALL, offsets } from "./harness.js";

/**
 * The part of the broker contract about a channel's stream: position, recover, history,
 * retention and idempotency. Registered by `brokerContract` inside its `describe` block.
 */
export function streamContract(harness: ContractHarness): void {
  const { channel, open, settle, fill, ttlScale } = harness;

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
}
