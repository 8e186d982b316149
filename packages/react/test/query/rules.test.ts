/**
 * The rule helpers and the frame batch, without a hub: typed rules from a contract, the keys a
 * rule covers, and a batch that applies patches in order and each key once.
 */
import { defineContract, type ReceivedEvent } from "@switchyard/client";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { CacheBatch, minimalKeys } from "../../src/query/cache-batch.js";
import {
  coveredKeys,
  defineRules,
  follows,
  keysForEvent,
  type LiveRule,
} from "../../src/query/rules.js";

const contract = defineContract({
  channels: {
    equipment: { events: { equipment_changed: z.object({ id: z.number() }) } },
  },
});

const event = (data: unknown): ReceivedEvent => ({
  channel: "equipment",
  event: "equipment_changed",
  data,
  timestamp: 0,
});

describe("rules", () => {
  it("types a contract rule's events and data by its channel", () => {
    const rule = defineRules(contract);
    const built = rule({
      channel: "equipment",
      events: ["equipment_changed"],
      invalidate: (received) => {
        expectTypeOf(received.data).toEqualTypeOf<{ id: number }>();
        return [["equipment"], ["equipment", received.data.id]];
      },
      covers: [["equipment"]],
    });
    // @ts-expect-error: not an event of the channel
    rule({ channel: "equipment", events: ["deleted"], invalidate: [["equipment"]] });
    // @ts-expect-error: keys that depend on the event need `covers`
    rule({ channel: "equipment", invalidate: () => [["equipment"]] });
    expect(keysForEvent(built, event({ id: 7 }))).toEqual([["equipment"], ["equipment", 7]]);
    expect(coveredKeys(built)).toEqual([["equipment"]]);
  });

  it("covers the fixed invalidate keys unless told otherwise", () => {
    const fixed: LiveRule = { channel: "sessions", invalidate: [["sessions"], ["my-sessions"]] };
    expect(coveredKeys(fixed)).toEqual([["sessions"], ["my-sessions"]]);
    expect(coveredKeys({ ...fixed, covers: [["all"]] })).toEqual([["all"]]);
  });

  it("follows its events, or every event but the hub's own", () => {
    const all: LiveRule = { channel: "room", invalidate: [["room"]] };
    expect(follows(all, "message")).toBe(true);
    expect(follows(all, "$presence")).toBe(false);
    const some: LiveRule = { ...all, events: ["message", "$presence"] };
    expect(follows(some, "$presence")).toBe(true);
    expect(follows(some, "typing")).toBe(false);
  });

  it("keeps the shortest of keys that match as prefixes, each once", () => {
    expect(
      minimalKeys([["equipment", 1], ["equipment"], ["sessions"], ["equipment", 2], ["sessions"]]),
    ).toEqual([["equipment"], ["sessions"]]);
    expect(
      minimalKeys([
        ["equipment", 1],
        ["equipment", 2],
      ]),
    ).toEqual([
      ["equipment", 1],
      ["equipment", 2],
    ]);
  });
});

describe("CacheBatch", () => {
  it("applies a frame's patches in order, then invalidates each key once", () => {
    const client = new QueryClient();
    client.setQueryData(["log"], [] as number[]);
    client.setQueryData(["equipment", 1], "a");
    const invalidated: string[] = [];
    client.getQueryCache().subscribe((change) => {
      if (change.type === "updated" && change.action.type === "invalidate") {
        invalidated.push(change.query.queryHash);
      }
    });
    const frames: (() => void)[] = [];
    const batch = new CacheBatch(client, (flush) => {
      frames.push(flush);
      return () => frames.splice(frames.indexOf(flush), 1);
    });
    for (let n = 1; n <= 1000; n++) {
      batch.update(() => client.setQueryData<number[]>(["log"], (log = []) => [...log, n]));
      batch.invalidate([["equipment"], ["equipment", 1]]);
    }
    expect(frames).toHaveLength(1);
    expect(client.getQueryData(["log"])).toEqual([]);
    frames.shift()?.();
    expect(client.getQueryData<number[]>(["log"])).toHaveLength(1000);
    expect(client.getQueryData<number[]>(["log"])?.slice(0, 3)).toEqual([1, 2, 3]);
    expect(invalidated).toEqual(['["equipment",1]']);
    client.clear();
  });

  it("drops what is pending when disposed", () => {
    const client = new QueryClient();
    let cancelled = 0;
    const batch = new CacheBatch(client, () => () => {
      cancelled += 1;
    });
    batch.invalidate([["equipment"]]);
    batch.dispose();
    expect(cancelled).toBe(1);
  });
});
