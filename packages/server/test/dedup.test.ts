import { describe, expect, it } from "vitest";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";
import { untilOffset } from "./helpers/streams.js";

/** Waits for a marker event published after everything else, so every earlier event arrived. */
async function drained(
  hub: Awaited<ReturnType<typeof startHub>>["hub"],
  client: Awaited<ReturnType<typeof connected>>,
  channel: string,
) {
  const { offset } = await hub.publish(channel, "marker", {});
  await untilOffset(client, channel, offset!);
}

describe("idempotency keys on hub.publish", () => {
  it("delivers a retried publish once and answers the retry with the original offset", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const watcher = await connected(url);
    await watcher.request({ type: "subscribe", channel: "orders:1" });

    const first = await hub.publish("orders:1", "placed", { n: 1 }, { idempotencyKey: "k-1" });
    expect(first).toEqual({ offset: 1, epoch: expect.any(String), duplicate: false });
    const retry = await hub.publish("orders:1", "placed", { n: 1 }, { idempotencyKey: "k-1" });
    expect(retry).toEqual({ offset: 1, epoch: first.epoch, duplicate: true });
    // The retry's data is not looked at: the first publish stands.
    const late = await hub.publish("orders:1", "placed", { n: 2 }, { idempotencyKey: "k-1" });
    expect(late).toMatchObject({ offset: 1, duplicate: true });

    await drained(hub, watcher, "orders:1");
    expect(watcher.events("orders:1").map((frame) => [frame.event, frame.data])).toEqual([
      ["placed", { n: 1 }],
      ["marker", {}],
    ]);
    const history = await hub.history("orders:1");
    expect(history.events.map((event) => event.offset)).toEqual([1, 2]);
  });

  it("publishes the same key on another channel, and other keys on the same channel", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const watcher = await connected(url);
    await watcher.request({ type: "subscribe", channel: "orders:1" });
    await watcher.request({ type: "subscribe", channel: "orders:2" });

    await hub.publish("orders:1", "placed", {}, { idempotencyKey: "shared" });
    const other = await hub.publish("orders:2", "placed", {}, { idempotencyKey: "shared" });
    expect(other).toEqual({ offset: 1, epoch: expect.any(String), duplicate: false });
    const fresh = await hub.publish("orders:1", "placed", {}, { idempotencyKey: "other" });
    expect(fresh).toEqual({ offset: 2, epoch: expect.any(String), duplicate: false });
    // Without a key there is nothing to be a duplicate of: no `duplicate` at all.
    const unkeyed = await hub.publish("orders:1", "placed", {});
    expect(unkeyed).toEqual({ offset: 3, epoch: expect.any(String) });

    await drained(hub, watcher, "orders:1");
    await drained(hub, watcher, "orders:2");
    expect(watcher.events("orders:1")).toHaveLength(4); // 3 placed + marker
    expect(watcher.events("orders:2")).toHaveLength(2); // 1 placed + marker
  });

  it("deduplicates concurrent retries", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const watcher = await connected(url);
    await watcher.request({ type: "subscribe", channel: "orders:1" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        hub.publish("orders:1", "placed", {}, { idempotencyKey: "burst" }),
      ),
    );
    expect(results.filter((result) => result.duplicate !== true)).toHaveLength(1);
    expect(new Set(results.map((result) => result.offset))).toEqual(new Set([1]));
    await drained(hub, watcher, "orders:1");
    expect(watcher.events("orders:1").map((frame) => frame.event)).toEqual(["placed", "marker"]);
  });

  it("deduplicates on channels without history (no offsets to compare)", async () => {
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      namespaces: { live: { subscribe: "anyone", history: false } },
    });
    const watcher = await connected(url);
    await watcher.request({ type: "subscribe", channel: "live:1" });
    expect(await hub.publish("live:1", "tick", { n: 1 }, { idempotencyKey: "a" })).toEqual({
      duplicate: false,
    });
    expect(await hub.publish("live:1", "tick", { n: 1 }, { idempotencyKey: "a" })).toEqual({
      duplicate: true,
    });
    await hub.publish("live:1", "tick", { n: 2 });
    await watcher.next((frame) => frame.type === "event" && (frame.data as { n: number }).n === 2);
    expect(watcher.events("live:1").map((frame) => frame.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe("idempotency keys on client publish frames", () => {
  it("delivers a retried client publish once; the retry reply says duplicate", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const watcher = await connected(url);
    await watcher.request({ type: "subscribe", channel: "chat:1" });
    const sender = await connected(url);

    const frame = { type: "publish", channel: "chat:1", event: "say", data: { text: "hi" } };
    const first = await sender.request({ ...frame, idempotencyKey: "msg-1" });
    expect(first.result).toEqual({ offset: 1, epoch: expect.any(String), duplicate: false });
    const retry = await sender.request({ ...frame, idempotencyKey: "msg-1" });
    expect(retry.result).toEqual({
      offset: 1,
      epoch: (first.result as { epoch: string }).epoch,
      duplicate: true,
    });
    // The same key from another connection (a reconnect retrying) is still a retry.
    const other = await connected(url);
    const again = await other.request({ ...frame, idempotencyKey: "msg-1" });
    expect(again.result).toMatchObject({ offset: 1, duplicate: true });
    // Another key publishes.
    const next = await sender.request({ ...frame, idempotencyKey: "msg-2" });
    expect(next.result).toEqual({ offset: 2, epoch: expect.any(String), duplicate: false });

    await drained(hub, watcher, "chat:1");
    expect(watcher.events("chat:1").map((event) => [event.event, event.offset])).toEqual([
      ["say", 1],
      ["say", 2],
      ["marker", 3],
    ]);
  });

  it("shares the key space with hub.publish on the same channel", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    await hub.publish("chat:1", "say", {}, { idempotencyKey: "k" });
    const sender = await connected(url);
    const reply = await sender.request({
      type: "publish",
      channel: "chat:1",
      event: "say",
      idempotencyKey: "k",
    });
    expect(reply.result).toMatchObject({ offset: 1, duplicate: true });
  });

  it("rejects an idempotency key that is not a short string", async () => {
    const { url } = await startHub(OPEN_POLICY);
    const sender = await connected(url);
    const frame = { type: "publish", channel: "chat:1", event: "say" };
    const numeric = await sender.request({ ...frame, idempotencyKey: 42 });
    expect(numeric.error).toMatchObject({ code: "invalid_frame" });
    const long = await sender.request({ ...frame, idempotencyKey: "x".repeat(257) });
    expect(long.error).toMatchObject({ code: "invalid_frame" });
  });
});
