/**
 * Ephemeral events (docs/protocol.md, "Ephemeral events"): delivered live, without offset or
 * history, never replayed; rate-limited per client and channel; and the `$` event names
 * reserved for features.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { HubOptions } from "../src/index.js";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";

const CURSORS: HubOptions = {
  ...OPEN_POLICY,
  namespaces: {
    room: {
      subscribe: "anyone",
      publish: "anyone",
      ephemeral: ["cursor"],
      ephemeralRate: 5,
      conflate: ({ event, data }) =>
        event === "cursor" ? String((data as { user?: string }).user) : undefined,
    },
    board: {
      subscribe: "anyone",
      events: { note: z.object({ text: z.string() }) },
    },
  },
};

describe("ephemeral events", () => {
  it("reach the subscribers live, without offset, and leave the offsets of the others whole", async () => {
    const { url, hub } = await startHub(CURSORS);
    const reader = await connected(url);
    await reader.request({ type: "subscribe", channel: "room:1" });
    const writer = await connected(url);
    await hub.publish("room:1", "message", { text: "hi" });
    const cursor = await writer.request({
      type: "publish",
      channel: "room:1",
      event: "cursor",
      data: { user: "ada", x: 1 },
    });
    expect(cursor.result).toEqual({});
    await hub.publish("room:1", "message", { text: "again" });
    await reader.next((frame) => frame.type === "event" && frame.offset === 2);
    expect(reader.events("room:1").map((frame) => [frame.event, frame.offset])).toEqual([
      ["message", 1],
      ["cursor", undefined],
      ["message", 2],
    ]);
    // Not kept: neither history nor a recovery replays it.
    expect((await hub.history("room:1")).events.map((event) => event.event)).toEqual([
      "message",
      "message",
    ]);
    const late = await connected(url);
    const reply = await late.request({
      type: "subscribe",
      channel: "room:1",
      since: { epoch: (await hub.history("room:1")).epoch, offset: 0 },
    });
    expect(reply.result).toMatchObject({ recovered: true });
    await late.next((frame) => frame.type === "event" && frame.offset === 2);
    expect(late.events("room:1").map((frame) => frame.event)).toEqual(["message", "message"]);
  });

  it("are refused past the namespace's rate per client and channel; the connection stays", async () => {
    const { url } = await startHub(CURSORS);
    const writer = await connected(url);
    const replies = [];
    for (let x = 0; x < 8; x++) {
      replies.push(
        await writer.request({
          type: "publish",
          channel: "room:1",
          event: "cursor",
          data: { user: "ada", x },
        }),
      );
    }
    const refused = replies.filter((reply) => reply.error !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const reply of refused) expect(reply.error).toMatchObject({ code: "rate_limited" });
    // Another channel has its own budget, and ordinary publishes are not counted.
    const other = await writer.request({
      type: "publish",
      channel: "room:2",
      event: "cursor",
      data: { user: "ada", x: 0 },
    });
    expect(other.error).toBeUndefined();
    const message = await writer.request({ type: "publish", channel: "room:1", event: "message" });
    expect(message.result).toMatchObject({ offset: 1 });
    expect(writer.closeCode).toBeUndefined();
  });

  it("can be published by server code on any channel", async () => {
    const { url, hub } = await startHub(CURSORS);
    const reader = await connected(url);
    await reader.request({ type: "subscribe", channel: "room:1" });
    expect(await hub.publish("room:1", "typing", { user: "bob" }, { ephemeral: true })).toEqual({});
    const event = await reader.next((frame) => frame.type === "event");
    expect(event).toMatchObject({ event: "typing", data: { user: "bob" } });
    expect(event.offset).toBeUndefined();
    expect((await hub.history("room:1")).events).toEqual([]);
  });
});

describe("event names reserved for features", () => {
  it("are server code's only, and outside the namespace's event schemas", async () => {
    const { url, hub } = await startHub(CURSORS);
    const reader = await connected(url);
    await reader.request({ type: "subscribe", channel: "board:1" });
    await hub.publish("board:1", "$presence", { joined: ["ada"] }, { ephemeral: true });
    const event = await reader.next((frame) => frame.type === "event");
    expect(event).toMatchObject({ event: "$presence", data: { joined: ["ada"] } });
    const client = await reader.request({
      type: "publish",
      channel: "room:1",
      event: "$presence",
    });
    expect(client.error).toMatchObject({ code: "invalid_frame" });
    await expect(hub.publish("board:1", "$", {})).rejects.toMatchObject({ code: "invalid_frame" });
    await expect(hub.publish("board:1", "other", {})).rejects.toMatchObject({
      code: "unknown_event",
    });
  });
  it("keep only the latest value per conflation key for a slow client: every user's last cursor", async () => {
    const { url, hub } = await startHub(CURSORS);
    const sleeper = await connected(url);
    await sleeper.request({ type: "subscribe", channel: "room:slow" });
    sleeper.ws.pause();
    const pad = "x".repeat(16 * 1024);
    // Enough to back the socket up many times over: 400 cursors of 16 KiB, two users.
    for (let x = 1; x <= 200; x++) {
      for (const user of ["ada", "bob"]) {
        await hub.publish("room:slow", "cursor", { user, x, pad });
      }
    }
    expect(hub.stats().queuedBytes).toBeLessThan(256 * 1024);
    sleeper.ws.resume();
    const last = (user: string) => (frame: Record<string, unknown>) => {
      const data = frame.data as { user?: string; x?: number } | undefined;
      return data?.user === user && data.x === 200;
    };
    await sleeper.next(last("ada"));
    await sleeper.next(last("bob"));
    const cursors = sleeper.events("room:slow").map((f) => f.data as { user: string; x: number });
    expect(cursors.length).toBeLessThan(400);
    for (const user of ["ada", "bob"]) {
      const xs = cursors.filter((c) => c.user === user).map((c) => c.x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
      expect(xs.at(-1)).toBe(200);
    }
    expect(sleeper.closeCode).toBeUndefined();
  });
});
