import { describe, expect, it } from "vitest";
import type { Client, ReceivedEvent, ResetInfo } from "../src/index.js";
import { connect, FakeSocket, flush, reconnect, useFakeSockets } from "./fake-socket.js";

const { start } = useFakeSockets();

function event(channel: string, offset: number | undefined, data: unknown = offset) {
  return { type: "event", channel, event: "tick", data, offset, timestamp: 1 };
}

/** Answers the latest subscribe frame for `channel`. */
function answer(socket: FakeSocket, channel: string, result: Record<string, unknown>) {
  const frame = socket
    .frames("subscribe")
    .filter((f) => f.channel === channel)
    .at(-1);
  if (!frame) throw new Error(`no subscribe for ${channel}`);
  socket.reply(frame.id, { channel, ...result });
  return frame;
}

function collect(client: Client, channel: string) {
  const events: ReceivedEvent[] = [];
  const resets: ResetInfo[] = [];
  const subscription = client.subscribe(channel, {
    onEvent: (e) => events.push(e),
    onReset: (info) => resets.push(info),
  });
  return { subscription, events, resets, data: () => events.map((e) => e.data) };
}

describe("subscriptions", () => {
  it("subscribes, reports its state and delivers every event of a burst in order", async () => {
    const client = start();
    const job = collect(client, "job:1");
    expect(job.subscription.state.getSnapshot()).toMatchObject({ status: "subscribing" });
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 10 });
    await flush();
    expect(job.subscription.state.getSnapshot()).toMatchObject({
      channel: "job:1",
      status: "subscribed",
      position: { epoch: "e1", offset: 10 },
    });
    socket.receive(Array.from({ length: 500 }, (_, n) => event("job:1", 11 + n)));
    expect(job.data()).toEqual(Array.from({ length: 500 }, (_, n) => 11 + n));
    expect(job.subscription.state.getSnapshot().position).toEqual({ epoch: "e1", offset: 510 });
  });

  it("drops duplicates (offset at or below the last one)", async () => {
    const client = start();
    const job = collect(client, "job:1");
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive([event("job:1", 1), event("job:1", 2), event("job:1", 2), event("job:1", 1)]);
    socket.receive(event("job:1", 3));
    expect(job.data()).toEqual([1, 2, 3]);
  });

  it("resubscribes from the last position on a gap and delivers the recovered events first", async () => {
    const client = start();
    const job = collect(client, "job:1");
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive([event("job:1", 1), event("job:1", 2), event("job:1", 5)]);
    const again = socket.frames("subscribe").at(-1);
    expect(again).toMatchObject({ channel: "job:1", since: { epoch: "e1", offset: 2 } });
    expect(job.subscription.state.getSnapshot().status).toBe("subscribing");
    socket.receive(event("job:1", 6)); // live, before the reply: held back
    answer(socket, "job:1", { epoch: "e1", offset: 2, recovered: true });
    socket.receive([event("job:1", 3), event("job:1", 4), event("job:1", 5), event("job:1", 6)]);
    await flush();
    socket.receive(event("job:1", 7));
    expect(job.data()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(job.resets).toEqual([]);
  });

  it("does not treat skipped offsets as a gap on a conflated channel", async () => {
    const client = start();
    const progress = collect(client, "progress:1");
    const socket = await connect();
    answer(socket, "progress:1", { epoch: "e1", offset: 0, conflated: true });
    await flush();
    socket.receive([event("progress:1", 1), event("progress:1", 4), event("progress:1", 9)]);
    expect(progress.data()).toEqual([1, 4, 9]);
    expect(socket.frames("subscribe")).toHaveLength(1);
  });

  it("recovers after a reconnect: missed events in order, duplicates dropped, then live ones", async () => {
    const client = start();
    const job = collect(client, "job:1");
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive([event("job:1", 1), event("job:1", 2)]);
    const again = await reconnect();
    expect(job.subscription.state.getSnapshot().status).toBe("subscribing");
    const frame = answer(again, "job:1", { epoch: "e1", offset: 2, recovered: true });
    expect(frame.since).toEqual({ epoch: "e1", offset: 2 });
    again.receive([event("job:1", 2), event("job:1", 3), event("job:1", 4)]);
    await flush();
    again.receive(event("job:1", 5));
    expect(job.data()).toEqual([1, 2, 3, 4, 5]);
    expect(job.resets).toEqual([]);
  });

  it("emits reset when the missed events are gone, then continues from the new position", async () => {
    const client = start();
    const job = collect(client, "job:1");
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive(event("job:1", 1));
    const again = await reconnect();
    answer(again, "job:1", { epoch: "e2", offset: 40, recovered: false, snapshot: { step: 4 } });
    await flush();
    expect(job.resets).toEqual([
      {
        channel: "job:1",
        reason: "not_recovered",
        position: { epoch: "e2", offset: 40 },
        snapshot: { step: 4 },
      },
    ]);
    expect(job.subscription.state.getSnapshot().snapshot).toEqual({ step: 4 });
    again.receive([event("job:1", 40), event("job:1", 41)]);
    expect(job.data()).toEqual([1, 41]);
  });

  it("emits reset after a reconnect on a channel without history", async () => {
    const client = start();
    const chat = collect(client, "chat:1");
    const socket = await connect();
    answer(socket, "chat:1", {});
    await flush();
    socket.receive(event("chat:1", undefined, "a"));
    expect(chat.resets).toEqual([]);
    const again = await reconnect();
    expect(again.frames("subscribe")[0]).not.toHaveProperty("since");
    answer(again, "chat:1", {});
    await flush();
    expect(chat.resets).toMatchObject([{ reason: "not_recovered", position: null }]);
    again.receive(event("chat:1", undefined, "b"));
    expect(chat.data()).toEqual(["a", "b"]);
  });

  it("shares one server subscription between subscriptions to one channel", async () => {
    const client = start();
    const a = collect(client, "job:1");
    const b = collect(client, "job:1");
    const socket = await connect();
    expect(socket.frames("subscribe")).toHaveLength(1);
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive(event("job:1", 1));
    a.subscription.unsubscribe();
    expect(a.subscription.state.getSnapshot().status).toBe("unsubscribed");
    expect(socket.frames("unsubscribe")).toHaveLength(0);
    socket.receive(event("job:1", 2));
    b.subscription.unsubscribe();
    expect(socket.frames("unsubscribe")).toEqual([
      expect.objectContaining({ type: "unsubscribe", channel: "job:1" }),
    ]);
    socket.receive(event("job:1", 3));
    expect(a.data()).toEqual([1]);
    expect(b.data()).toEqual([1, 2]);
  });

  it("filters events per subscription and widens the server filter when needed", async () => {
    const client = start();
    const progress: unknown[] = [];
    client.subscribe("job:1", { events: ["progress"], onEvent: (e) => progress.push(e.data) });
    const socket = await connect();
    expect(socket.frames("subscribe")[0]).toMatchObject({ events: ["progress"] });
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    socket.receive({ ...event("job:1", 3), event: "progress" });
    const all: unknown[] = [];
    client.subscribe("job:1", { onEvent: (e) => all.push(e.data) });
    const wider = socket.frames("subscribe").at(-1);
    expect(wider).not.toHaveProperty("events");
    expect(wider).toMatchObject({ since: { epoch: "e1", offset: 3 } });
    answer(socket, "job:1", { epoch: "e1", offset: 3, recovered: true });
    socket.receive([
      { ...event("job:1", 4), event: "done" },
      { ...event("job:1", 5), event: "progress" },
    ]);
    await flush();
    expect(progress).toEqual([3, 5]);
    expect(all).toEqual([4, 5]);
  });

  it("reports a refused subscription and retries it on the next link", async () => {
    const client = start();
    const errors: Error[] = [];
    const secret = client.subscribe("secret:1", { onError: (e) => errors.push(e) });
    const socket = await connect();
    const frame = socket.frames("subscribe")[0];
    socket.receive({ type: "reply", id: frame?.id, error: { code: "forbidden", message: "no" } });
    await flush();
    expect(secret.state.getSnapshot()).toMatchObject({
      status: "failed",
      error: expect.objectContaining({ code: "forbidden" }),
    });
    expect(errors).toHaveLength(1);
    const again = await reconnect();
    expect(again.frames("subscribe")).toHaveLength(1);
  });

  it("notifies state listeners and lets them stop", async () => {
    const client = start();
    const sub = client.subscribe("job:1");
    const seen: string[] = [];
    const stop = sub.state.subscribe(() => seen.push(sub.state.getSnapshot().status));
    const socket = await connect();
    answer(socket, "job:1", { epoch: "e1", offset: 0 });
    await flush();
    stop();
    sub.unsubscribe();
    expect(seen).toEqual(["subscribed"]);
  });

  it("refuses personal and invalid channel names", () => {
    const client = start();
    expect(() => client.subscribe("$broadcast")).toThrow(/personal/);
    expect(() => client.subscribe("bad channel")).toThrow(/not a valid channel/);
  });
});

describe("personal channels", () => {
  const channels = {
    "$client:c1": { epoch: "p", offset: 0 },
    "$session:s1": { epoch: "p", offset: 3 },
    "$user:u1": { epoch: "p", offset: 8 },
    $broadcast: { epoch: "p", offset: 1 },
  };

  it("delivers their events and sends all but the $client: positions on reconnect", async () => {
    const client = start({ sessionId: "s1" });
    const events: ReceivedEvent[] = [];
    const resets: ResetInfo[] = [];
    client.personal.on("event", (e) => events.push(e));
    client.personal.on("reset", (info) => resets.push(info));
    const socket = await connect({ channels });
    socket.receive([event("$session:s1", 4), event("$user:u1", 9), event("$session:s1", 4)]);
    expect(events.map((e) => [e.channel, e.offset])).toEqual([
      ["$session:s1", 4],
      ["$user:u1", 9],
    ]);
    FakeSocket.last.serverClose(1006);
    await flush();
    const again = FakeSocket.last;
    again.open();
    expect(again.frames("connect")[0]?.since).toEqual({
      "$session:s1": { epoch: "p", offset: 4 },
      "$user:u1": { epoch: "p", offset: 9 },
      $broadcast: { epoch: "p", offset: 1 },
    });
    again.accept({
      channels: {
        "$client:c2": { epoch: "p", offset: 0 },
        "$session:s1": { epoch: "p", offset: 4, recovered: true },
        "$user:u1": { epoch: "q", offset: 20, recovered: false },
        $broadcast: { epoch: "p", offset: 1, recovered: true },
      },
    });
    again.receive([event("$session:s1", 5), event("$user:u1", 21)]);
    expect(resets).toEqual([
      { channel: "$user:u1", reason: "not_recovered", position: { epoch: "q", offset: 20 } },
    ]);
    expect(events.map((e) => e.offset)).toEqual([4, 9, 5, 21]);
  });
});
