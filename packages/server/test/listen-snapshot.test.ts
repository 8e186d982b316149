import { describe, expect, it } from "vitest";
import type { BrokerEvent } from "../src/index.js";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";

describe("hub.listen", () => {
  it("gives server code every event of a channel, from clients and server alike", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const seen: BrokerEvent[] = [];
    const stop = await hub.listen("room:1", (event) => seen.push(event));
    const client = await connected(url);
    await client.request({ type: "publish", channel: "room:1", event: "said", data: "hi" });
    await hub.publish("room:1", "said", "hello");
    expect(seen.map((e) => [e.event, e.data, e.offset])).toEqual([
      ["said", "hi", 1],
      ["said", "hello", 2],
    ]);
    expect(hub.channels()).toContainEqual({ channel: "room:1", subscribers: 0 });
    stop();
    await hub.publish("room:1", "said", "unheard");
    expect(seen).toHaveLength(2);
    expect(hub.channels().map((c) => c.channel)).not.toContain("room:1");
  });

  it("keeps delivering to clients when a listener throws", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    await hub.listen("room:2", () => {
      throw new Error("listener bug");
    });
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "room:2" });
    await hub.publish("room:2", "said", 1);
    expect((await client.next((f) => f.type === "event" && f.channel === "room:2")).data).toBe(1);
  });

  it("refuses invalid channel names", async () => {
    const { hub } = await startHub(OPEN_POLICY);
    await expect(hub.listen("bad channel", () => {})).rejects.toMatchObject({
      code: "invalid_channel",
    });
  });
});

describe("namespace snapshot", () => {
  it("sends the channel's state in every subscribe reply, recovered ones included", async () => {
    const state = new Map<string, unknown>([["doc:a", { version: 3, theme: "dark" }]]);
    const asked: unknown[] = [];
    const { url } = await startHub({
      allowAnonymous: true,
      namespaces: {
        doc: {
          subscribe: "anyone",
          snapshot: (context) => {
            asked.push({ channel: context.channel, name: context.name, userId: context.userId });
            return state.get(context.channel);
          },
        },
      },
    });
    const client = await connected(url);
    const first = await client.request({ type: "subscribe", channel: "doc:a" });
    expect(first.result).toMatchObject({ snapshot: { version: 3, theme: "dark" }, offset: 0 });
    const position = first.result as { epoch: string; offset: number };
    const again = await client.request({
      type: "subscribe",
      channel: "doc:a",
      since: { epoch: position.epoch, offset: 0 },
    });
    expect(again.result).toMatchObject({ recovered: true, snapshot: { version: 3 } });
    const none = await client.request({ type: "subscribe", channel: "doc:b" });
    expect(none.result).not.toHaveProperty("snapshot");
    expect(asked[0]).toEqual({ channel: "doc:a", name: "a", userId: null });
  });
});
