import { setTimeout as wait } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Broker, Hub, HubOptions } from "../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "./helpers/fixtures.js";
import { withRemoteReads } from "./helpers/remote-broker.js";
import { nextTurn, offsetsOf, range, untilOffset } from "./helpers/streams.js";

const CHANNEL = "news:1";

interface Position {
  epoch: string;
  offset: number;
}

/** Subscribes a fresh client to `channel` and returns it with the position of the reply. */
async function subscriber(url: string, channel = CHANNEL) {
  const client = await connected(url);
  const reply = await client.request({ type: "subscribe", channel });
  expect(reply.error).toBeUndefined();
  const { epoch, offset } = reply.result as Position;
  return { client, position: { epoch, offset } };
}

async function publishMany(hub: Hub, count: number, channel = CHANNEL, event = "tick") {
  let last = 0;
  for (let i = 0; i < count; i++) {
    const result = await hub.publish(channel, event, { i });
    last = result.offset as number;
  }
  return last;
}

/** Closes a client cleanly and waits until the socket is gone. */
async function leave(client: RawClient): Promise<void> {
  client.ws.close(1000);
  await client.waitClose();
}

describe("recovery inside the history window", () => {
  it("replays exactly the missed events after the reply, then live ones", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const first = await subscriber(url);
    await publishMany(hub, 3);
    await untilOffset(first.client, CHANNEL, 3);
    const last = first.client.events(CHANNEL).at(-1)!;
    const since = { epoch: first.position.epoch, offset: last.offset as number };
    await leave(first.client);

    await publishMany(hub, 5); // offsets 4..8, missed

    const second = await connected(url);
    const reply = await second.request({ type: "subscribe", channel: CHANNEL, since });
    expect(reply.result).toEqual({
      channel: CHANNEL,
      epoch: since.epoch,
      offset: 3,
      recovered: true,
    });
    await untilOffset(second, CHANNEL, 8);
    await publishMany(hub, 2); // live: 9, 10
    await untilOffset(second, CHANNEL, 10);

    expect(offsetsOf(second, CHANNEL)).toEqual(range(4, 7));
    expect(second.events(CHANNEL).map((frame) => frame.data)).toEqual(
      [0, 1, 2, 3, 4, 0, 1].map((i) => ({ i })),
    );
    // The replay follows the reply: the app learns `recovered` before the events.
    const replyAt = second.frames.indexOf(reply);
    const firstEventAt = second.frames.findIndex((frame) => frame.type === "event");
    expect(replyAt).toBeLessThan(firstEventAt);
  });

  it("recovers from offset 0 of a subscription that saw nothing", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const first = await subscriber(url);
    expect(first.position.offset).toBe(0);
    await leave(first.client);
    await publishMany(hub, 4);

    const second = await connected(url);
    const reply = await second.request({
      type: "subscribe",
      channel: CHANNEL,
      since: first.position,
    });
    expect(reply.result).toMatchObject({ recovered: true, offset: 0 });
    await untilOffset(second, CHANNEL, 4);
    expect(offsetsOf(second, CHANNEL)).toEqual([1, 2, 3, 4]);
  });

  const brokers: [string, () => Broker | undefined][] = [
    ["the memory broker", () => undefined],
    ["a broker whose reads take a network round trip", () => withRemoteReads()],
  ];
  for (const [name, broker] of brokers) {
    it(`has no gap and no duplicate while events keep coming during the resubscribe (${name})`, async () => {
      const { url, hub } = await startHub({ ...OPEN_POLICY, broker: broker() });
      const first = await subscriber(url);
      let published = 0;
      let stop = false;
      // Publishes a few events on every turn of the event loop until told to stop.
      const publisher = (async () => {
        while (!stop) {
          for (let i = 0; i < 3; i++) published = (await hub.publish(CHANNEL, "tick", {})).offset!;
          await nextTurn();
        }
      })();
      await untilOffset(first.client, CHANNEL, 20);
      first.client.ws.terminate(); // drops without a goodbye, mid-stream
      await first.client.waitClose();
      const seen = offsetsOf(first.client, CHANNEL);
      expect(seen).toEqual(range(1, seen.length));
      const since = { epoch: first.position.epoch, offset: seen.at(-1)! };

      const second = await connected(url);
      const reply = await second.request({ type: "subscribe", channel: CHANNEL, since });
      expect(reply.result).toMatchObject({ recovered: true, offset: since.offset });
      // Let live events flow past the replay before stopping the publisher.
      const atReply = published;
      await untilOffset(second, CHANNEL, atReply + 30);
      stop = true;
      await publisher;
      await untilOffset(second, CHANNEL, published);

      const merged = [...seen, ...offsetsOf(second, CHANNEL)];
      expect(merged).toEqual(range(1, published));
    });
  }

  it("replays events of a personal channel through connect.since", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const first = new RawClient(url);
    const result = await first.connect();
    const sessionId = result.sessionId as string;
    const personal = `$session:${sessionId}`;
    const position = (result.channels as Record<string, Position>)[personal]!;
    expect(position).toMatchObject({ offset: 0 });
    await hub.sendToSession(sessionId, "notice", { n: 1 });
    await untilOffset(first, personal, 1);
    await leave(first);

    for (let n = 2; n <= 4; n++) await hub.sendToSession(sessionId, "notice", { n });

    const second = new RawClient(url);
    const again = await second.connect({
      sessionId,
      since: { [personal]: { epoch: position.epoch, offset: 1 } },
    });
    expect((again.channels as Record<string, Position>)[personal]).toEqual({
      epoch: position.epoch,
      offset: 1,
      recovered: true,
    });
    await untilOffset(second, personal, 4);
    await hub.sendToSession(sessionId, "notice", { n: 5 });
    await untilOffset(second, personal, 5);
    expect(second.events(personal).map((frame) => frame.data)).toEqual(
      [2, 3, 4, 5].map((n) => ({ n })),
    );
    const replyAt = second.frames.findIndex((frame) => frame.type === "reply");
    const firstEventAt = second.frames.findIndex((frame) => frame.type === "event");
    expect(replyAt).toBeLessThan(firstEventAt);
  });

  it("ignores connect.since positions of someone else's personal channels", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const { epoch } = await hub.sendToSession("victim", "secret", { pin: 1234 });
    const intruder = new RawClient(url);
    const result = await intruder.connect({
      since: { "$session:victim": { epoch: epoch!, offset: 0 } },
    });
    const own = `$session:${result.sessionId}`;
    expect(Object.keys(result.channels as object)).not.toContain("$session:victim");
    await hub.sendToSession(result.sessionId as string, "mine", {});
    await intruder.next((frame) => frame.type === "event");
    expect(intruder.events().map((frame) => frame.channel)).toEqual([own]);
  });

  it("applies the events filter to replayed events", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const first = await subscriber(url);
    await leave(first.client);
    for (const event of ["a", "b", "a", "b"]) await hub.publish(CHANNEL, event, {});

    const second = await connected(url);
    const reply = await second.request({
      type: "subscribe",
      channel: CHANNEL,
      since: first.position,
      events: ["b"],
    });
    expect(reply.result).toMatchObject({ recovered: true });
    await hub.publish(CHANNEL, "a", {});
    await hub.publish(CHANNEL, "b", {}); // offset 6
    await untilOffset(second, CHANNEL, 6);
    expect(second.events(CHANNEL).map((frame) => [frame.event, frame.offset])).toEqual([
      ["b", 2],
      ["b", 4],
      ["b", 6],
    ]);
  });
});

describe("recovery outside the history window", () => {
  const SMALL: HubOptions = {
    ...OPEN_POLICY,
    namespaces: { news: { subscribe: "anyone", history: { size: 5 } } },
  };

  it("reports recovered: false with the current position and replays nothing", async () => {
    const { url, hub } = await startHub(SMALL);
    const first = await subscriber(url);
    await leave(first.client);
    await publishMany(hub, 20);

    const second = await connected(url);
    const reply = await second.request({
      type: "subscribe",
      channel: CHANNEL,
      since: first.position,
    });
    expect(reply.result).toEqual({
      channel: CHANNEL,
      epoch: first.position.epoch,
      offset: 20,
      recovered: false,
    });
    await hub.publish(CHANNEL, "live", {});
    await untilOffset(second, CHANNEL, 21);
    expect(offsetsOf(second, CHANNEL)).toEqual([21]);
  });

  it("recovers right up to the edge of a size window and not one event past it", async () => {
    const { url, hub } = await startHub(SMALL);
    const { epoch } = await hub.publish(CHANNEL, "tick", {});
    await publishMany(hub, 19); // offsets 1..20 published; 16..20 kept

    const edge = await connected(url);
    const inside = await edge.request({
      type: "subscribe",
      channel: CHANNEL,
      since: { epoch, offset: 15 },
    });
    expect(inside.result).toMatchObject({ recovered: true, offset: 15 });
    await untilOffset(edge, CHANNEL, 20);
    expect(offsetsOf(edge, CHANNEL)).toEqual([16, 17, 18, 19, 20]);

    const past = await connected(url);
    const outside = await past.request({
      type: "subscribe",
      channel: CHANNEL,
      since: { epoch, offset: 14 },
    });
    expect(outside.result).toMatchObject({ recovered: false, offset: 20 });
  });

  it("reports recovered: false for another epoch", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const { epoch } = await hub.publish(CHANNEL, "tick", {});
    await publishMany(hub, 2);
    const client = await connected(url);
    const reply = await client.request({
      type: "subscribe",
      channel: CHANNEL,
      since: { epoch: `${epoch}x`, offset: 1 },
    });
    expect(reply.result).toEqual({ channel: CHANNEL, epoch, offset: 3, recovered: false });
    await hub.publish(CHANNEL, "live", {});
    await untilOffset(client, CHANNEL, 4);
    expect(offsetsOf(client, CHANNEL)).toEqual([4]);
  });

  it("reports recovered: false for an offset the channel has not reached", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const { epoch } = await hub.publish(CHANNEL, "tick", {});
    await publishMany(hub, 2);
    const client = await connected(url);
    const reply = await client.request({
      type: "subscribe",
      channel: CHANNEL,
      since: { epoch, offset: 99 },
    });
    expect(reply.result).toEqual({ channel: CHANNEL, epoch, offset: 3, recovered: false });
    // Live delivery resumes from the real position, not from the bogus one.
    await hub.publish(CHANNEL, "live", {});
    await untilOffset(client, CHANNEL, 4);
    expect(offsetsOf(client, CHANNEL)).toEqual([4]);
  });

  it("reports recovered: false once the missed events are older than the ttl", async () => {
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      namespaces: { news: { subscribe: "anyone", history: { ttl: 200 } } },
    });
    const first = await subscriber(url);
    await leave(first.client);
    await publishMany(hub, 3);

    // Inside the age window the same position recovers.
    const early = await connected(url);
    const inside = await early.request({
      type: "subscribe",
      channel: CHANNEL,
      since: first.position,
    });
    expect(inside.result).toMatchObject({ recovered: true });
    await untilOffset(early, CHANNEL, 3);
    await leave(early);

    await wait(300); // let the events age past the ttl

    const late = await connected(url);
    const outside = await late.request({
      type: "subscribe",
      channel: CHANNEL,
      since: first.position,
    });
    expect(outside.result).toMatchObject({ recovered: false });
    await hub.publish(CHANNEL, "live", {});
    await late.next((frame) => frame.type === "event");
    expect(late.events(CHANNEL).map((frame) => frame.event)).toEqual(["live"]);
  });
});

describe("auth on recovery", () => {
  it("refuses a recovered subscribe to a forbidden channel and replays nothing", async () => {
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      namespaces: { secret: { subscribe: "nobody" } },
    });
    const { epoch } = await hub.publish("secret:1", "tick", { pin: 1234 });
    await hub.publish("secret:1", "tick", { pin: 5678 });
    const client = await connected(url);
    const reply = await client.request({
      type: "subscribe",
      channel: "secret:1",
      since: { epoch, offset: 0 },
    });
    expect(reply.error).toMatchObject({ code: "forbidden" });
    // A request after it is answered, so any replay would already have arrived.
    const ping = await client.request({ type: "ping" });
    expect(ping.result).toEqual({});
    expect(client.events("secret:1")).toEqual([]);
  });
});
