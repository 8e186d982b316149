import { describe, expect, it } from "vitest";
import type { Client, ReceivedEvent, ResetInfo } from "../src/index.js";
import { msgpackCodec } from "../src/msgpack.js";
import { HubServer, SharedBroker, type Signal, useIntegration } from "./hub-fixture.js";

const { disposers, connectClient } = useIntegration();

const open = { subscribe: "anyone", publish: "anyone" } as const;

async function startHub(options: Parameters<typeof HubServer.start>[1] = {}, namespaces = {}) {
  const fixture = await HubServer.start(
    { allowAnonymous: true, defaultNamespace: open, namespaces },
    options,
  );
  disposers.push(() => fixture.stop());
  return fixture;
}

function record(client: Client, signal: Signal, channel: string) {
  const events: ReceivedEvent[] = [];
  const resets: ResetInfo[] = [];
  const subscription = client.subscribe(channel, {
    onEvent: (event) => {
      events.push(event);
      signal.poke();
    },
    onReset: (info) => {
      resets.push(info);
      signal.poke();
    },
  });
  subscription.state.subscribe(signal.poke);
  const subscribed = () => subscription.state.getSnapshot().status === "subscribed";
  return { subscription, events, resets, subscribed, data: () => events.map((e) => e.data) };
}

describe("against a real hub", () => {
  it("connects (through the ws fallback on Node 20), subscribes, receives, publishes and calls RPC", async () => {
    const fixture = await startHub({
      setup: (hub) => hub.rpc("math.add", (data) => (data as { a: number; b: number }).a + 2),
    });
    const { client, signal, connected } = connectClient(fixture.url);
    await signal.until(connected, "connected");
    const info = client.connection.getSnapshot().info;
    expect(info?.sessionId).toBe(client.sessionId);
    expect(Object.keys(info?.channels ?? {})).toContain(`$client:${info?.clientId}`);

    const chat = record(client, signal, "chat:lobby");
    await signal.until(chat.subscribed, "subscribed");
    await expect(client.publish("chat:lobby", "message", { text: "hi" })).resolves.toMatchObject({
      offset: 1,
    });
    await fixture.hub.publish("chat:lobby", "message", { text: "from server" });
    await signal.until(() => chat.events.length === 2, "two events");
    expect(chat.data()).toEqual([{ text: "hi" }, { text: "from server" }]);
    expect(chat.events[1]).toMatchObject({ channel: "chat:lobby", event: "message", offset: 2 });

    await expect(client.rpc("math.add", { a: 40 })).resolves.toBe(42);
    await expect(client.rpc("nope")).rejects.toMatchObject({ code: "method_not_found" });
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it("speaks MessagePack through the optional codec", async () => {
    const fixture = await startHub({ setup: (hub) => hub.rpc("echo", (data) => data) });
    const { client, signal, connected } = connectClient(fixture.url, { codec: msgpackCodec });
    const bytes = record(client, signal, "blob:1");
    await signal.until(() => connected() && bytes.subscribed(), "subscribed");
    await fixture.hub.publish("blob:1", "chunk", { values: new Uint8Array([1, 2, 3]) });
    await signal.until(() => bytes.events.length === 1, "an event");
    expect(bytes.data()).toEqual([{ values: new Uint8Array([1, 2, 3]) }]);
    await expect(client.rpc("echo", { n: 1.5 })).resolves.toEqual({ n: 1.5 });
  });

  it("delivers events sent to its session and recovers them after a reconnect", async () => {
    const fixture = await startHub();
    const { client, signal, connected } = connectClient(fixture.url);
    const personal: unknown[] = [];
    client.personal.on("event", (event) => {
      personal.push(event.data);
      signal.poke();
    });
    await signal.until(connected, "connected");
    // The hub issued the session id; the client keeps it across reconnects.
    const sessionId = client.sessionId as string;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await fixture.hub.sendToSession(sessionId, "notice", 1);
    await signal.until(() => personal.length === 1, "the first notice");
    client.disconnect();
    await fixture.hub.sendToSession(sessionId, "notice", 2);
    client.connect();
    await signal.until(() => personal.length === 2, "the missed notice");
    expect(client.sessionId).toBe(sessionId);
    await fixture.hub.sendToSession(sessionId, "notice", 3);
    await signal.until(() => personal.length === 3, "the live notice");
    expect(personal).toEqual([1, 2, 3]);
  });

  it("reconnects after a server-side close and recovers the missed events in order", async () => {
    const fixture = await startHub();
    const { client, signal, connected, states } = connectClient(fixture.url);
    const job = record(client, signal, "task:1");
    await signal.until(() => connected() && job.subscribed(), "subscribed");
    for (let n = 1; n <= 3; n++) await fixture.hub.publish("task:1", "step", n);
    await signal.until(() => job.events.length === 3, "three events");

    const clientId = client.connection.getSnapshot().info?.clientId ?? "";
    expect(fixture.hub.disconnect({ clientId }, "slow_consumer")).toBe(1);
    for (let n = 4; n <= 8; n++) await fixture.hub.publish("task:1", "step", n);
    await signal.until(() => job.events.length >= 8, "the missed events");
    await fixture.hub.publish("task:1", "step", 9);
    await signal.until(() => job.events.length >= 9, "a live event");
    expect(job.data()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(job.resets).toEqual([]);
    expect(states.some((s) => s.status === "reconnecting" && s.reason === "slow_consumer")).toBe(
      true,
    );
  });

  it("sends calls queued while disconnected once the link is back", async () => {
    const fixture = await startHub({ setup: (hub) => hub.rpc("double", (n) => (n as number) * 2) });
    const { client, signal, connected } = connectClient(fixture.url);
    const chat = record(client, signal, "chat:1");
    await signal.until(() => connected() && chat.subscribed(), "subscribed");
    client.disconnect();
    const calls = [
      client.publish("chat:1", "message", "a"),
      client.rpc("double", 21),
      client.publish("chat:1", "message", "b"),
    ];
    client.connect();
    await expect(Promise.all(calls)).resolves.toMatchObject([{ offset: 1 }, 42, { offset: 2 }]);
    await signal.until(() => chat.events.length === 2, "both messages");
    expect(chat.data()).toEqual(["a", "b"]);
  });

  it("emits reset when the missed events fell out of the history window", async () => {
    const fixture = await startHub({}, { small: { ...open, history: { size: 5 } } });
    const { client, signal, connected } = connectClient(fixture.url);
    const feed = record(client, signal, "small:feed");
    await signal.until(() => connected() && feed.subscribed(), "subscribed");
    await fixture.hub.publish("small:feed", "tick", 1);
    await signal.until(() => feed.events.length === 1, "the first event");
    client.disconnect();
    for (let n = 2; n <= 20; n++) await fixture.hub.publish("small:feed", "tick", n);
    client.connect();
    await signal.until(() => feed.resets.length === 1, "a reset");
    expect(feed.resets[0]).toMatchObject({
      channel: "small:feed",
      reason: "not_recovered",
      position: { offset: 20 },
    });
    await fixture.hub.publish("small:feed", "tick", 21);
    await signal.until(() => feed.events.length === 2, "the next live event");
    expect(feed.data()).toEqual([1, 21]);
  });

  it("survives a hub restart on the same port with a broker that outlives it", async () => {
    const shared = new SharedBroker();
    disposers.push(() => shared.close());
    const fixture = await startHub({ shared });
    const { client, signal, connected, states } = connectClient(fixture.url);
    const job = record(client, signal, "task:7");
    await signal.until(() => connected() && job.subscribed(), "subscribed");
    await fixture.hub.publish("task:7", "step", 1);
    await signal.until(() => job.events.length === 1, "the first event");
    await fixture.stop();
    expect(client.connection.getSnapshot().status).not.toBe("connected");
    await fixture.start();
    for (let n = 2; n <= 4; n++) await fixture.hub.publish("task:7", "step", n);
    await signal.until(() => job.events.length === 4, "the events published across the restart");
    expect(job.data()).toEqual([1, 2, 3, 4]);
    expect(job.resets).toEqual([]);
    expect(states.some((s) => s.reason === "server_shutting_down")).toBe(true);
  });
});
