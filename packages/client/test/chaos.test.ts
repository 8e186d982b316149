/**
 * Chaos: a publisher sends 10,000 sequenced events on several channels while the client's link
 * is cut over and over, in every way a link dies: server-side closes with reconnect-now codes,
 * destroyed TCP sockets, a silent network (heartbeat lost), and hub restarts on the same port
 * with a broker that outlives the hub. The client must see every event exactly once, in order.
 */
import { describe, expect, it } from "vitest";
import { type Client, createClient, type ReceivedEvent, type ResetInfo } from "../src/index.js";
import { HubServer, SharedBroker, Signal, useIntegration } from "./hub-fixture.js";

const { disposers } = useIntegration();

/** A small seeded PRNG, so a failing run can be replayed with its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const open = { subscribe: "anyone", publish: "anyone" } as const;
const HISTORY = { size: 20_000, ttl: 600_000 };

async function setup(history: { size: number; ttl: number }, channels: string[]) {
  const shared = new SharedBroker();
  disposers.push(() => shared.close());
  const fixture = await HubServer.start(
    {
      allowAnonymous: true,
      defaultNamespace: { ...open, history },
      heartbeat: { interval: 150, timeout: 150 },
    },
    { shared },
  );
  disposers.push(() => fixture.stop());
  const signal = new Signal();
  const client: Client = createClient({
    url: fixture.url,
    reconnect: { minDelay: 10, maxDelay: 100, slowMinDelay: 20, slowMaxDelay: 100 },
  });
  disposers.push(() => client.close());
  let connects = 0;
  client.connection.subscribe(() => {
    if (client.connection.getSnapshot().status === "connected") connects++;
    signal.poke();
  });
  const received = new Map<string, ReceivedEvent[]>();
  const resets: ResetInfo[] = [];
  const subscriptions = channels.map((channel) => {
    received.set(channel, []);
    const subscription = client.subscribe(channel, {
      onEvent: (event) => {
        received.get(channel)?.push(event);
        signal.poke();
      },
      onReset: (info) => {
        resets.push(info);
        signal.poke();
      },
    });
    subscription.state.subscribe(signal.poke);
    return subscription;
  });
  let published = 0;
  /** Publishes the next event of a channel through the broker, as another hub node would. */
  const publish = async (channel: string, n: number) => {
    await shared.broker.publish({ channel, event: "n", data: { n }, history });
    published++;
  };
  return {
    fixture,
    client,
    signal,
    received,
    resets,
    publish,
    connects: () => connects,
    published: () => published,
    total: () => [...received.values()].reduce((sum, events) => sum + events.length, 0),
    connected: () => client.connection.getSnapshot().status === "connected",
    subscribed: () =>
      subscriptions.every(
        (subscription) => subscription.state.getSnapshot().status === "subscribed",
      ),
  };
}

describe("chaos", () => {
  it("delivers 10,000 events exactly once and in order through 60 cut links", async () => {
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const channels = ["seq:a", "seq:b", "seq:c", "seq:d"];
    const perChannel = 2_500;
    const cuts = 60;
    const run = await setup(HISTORY, channels);
    const { fixture, client, signal } = run;
    // Events published before a subscription starts are not part of it.
    await signal.until(run.subscribed, "the subscriptions");

    const next = new Map(channels.map((channel) => [channel, 0]));
    /** Publishes `count` events spread over the channels. */
    const publishSome = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const open = channels.filter((channel) => (next.get(channel) ?? 0) < perChannel);
        const channel = open[Math.floor(random() * open.length)];
        if (channel === undefined) return;
        const n = next.get(channel) ?? 0;
        next.set(channel, n + 1);
        await run.publish(channel, n);
      }
    };

    const kinds = ["slow_consumer", "server_shutting_down", "destroy", "silence", "restart"];
    const used = new Map<string, number>();
    const perCut = Math.ceil((channels.length * perChannel) / (cuts + 1));
    for (let cut = 0; cut < cuts; cut++) {
      await publishSome(Math.floor(random() * perCut));
      // Every kind of cut happens; restarts are slower, so a few of them suffice.
      const kind = cut % 12 === 11 ? "restart" : kinds[Math.floor(random() * 4)]!;
      used.set(kind, (used.get(kind) ?? 0) + 1);
      const before = run.connects();
      const clientId = client.connection.getSnapshot().info?.clientId ?? "";
      if (kind === "slow_consumer" || kind === "server_shutting_down") {
        fixture.hub.disconnect({ clientId }, kind);
      } else if (kind === "destroy") {
        fixture.destroySockets();
      } else if (kind === "silence") {
        fixture.silenceSockets();
      } else {
        await fixture.stop();
      }
      // Events published while the link is down must be recovered from history.
      await publishSome(Math.floor(random() * perCut));
      if (kind === "restart") await fixture.start();
      await signal.until(
        () => run.connects() > before && run.connected(),
        `link ${cut + 1} after a '${kind}' cut (seed ${seed})`,
      );
      // Half of the next cuts hit live delivery, the others hit the resubscribe itself.
      if (random() < 0.5) await signal.until(run.subscribed, `resubscribed (seed ${seed})`);
    }
    await publishSome(channels.length * perChannel);
    expect(run.published()).toBe(channels.length * perChannel);
    await signal.until(
      () => run.total() >= channels.length * perChannel,
      `every event (seed ${seed}); got ${run.total()}`,
      30_000,
    );

    for (const channel of channels) {
      const events = run.received.get(channel) ?? [];
      const numbers = events.map((event) => (event.data as { n: number }).n);
      expect(numbers, `${channel}, seed ${seed}`).toEqual(
        Array.from({ length: perChannel }, (_, n) => n),
      );
      expect(events.map((event) => event.offset)).toEqual(numbers.map((n) => n + 1));
    }
    expect(run.resets).toEqual([]);
    expect(run.connects()).toBeGreaterThan(cuts);
    for (const kind of kinds) expect(used.get(kind), kind).toBeGreaterThan(0);
  }, 60_000);

  it("reports reset when a cut outlasts the history window, then continues in order", async () => {
    const history = { size: 20, ttl: 600_000 };
    const run = await setup(history, ["seq:small"]);
    const { fixture, signal } = run;
    const events = () => run.received.get("seq:small") ?? [];
    await signal.until(run.subscribed, "the subscription");
    for (let n = 0; n < 10; n++) await run.publish("seq:small", n);
    await signal.until(() => events().length === 10, "the first events");

    await fixture.stop();
    for (let n = 10; n < 110; n++) await run.publish("seq:small", n);
    await fixture.start();
    await signal.until(() => run.resets.length === 1, "a reset");
    expect(run.resets[0]).toMatchObject({
      channel: "seq:small",
      reason: "not_recovered",
      position: { offset: 110 },
    });
    for (let n = 110; n < 120; n++) await run.publish("seq:small", n);
    await signal.until(() => events().length === 20, "the events after the reset");
    expect(events().map((event) => (event.data as { n: number }).n)).toEqual([
      ...Array.from({ length: 10 }, (_, n) => n),
      ...Array.from({ length: 10 }, (_, n) => 110 + n),
    ]);
  });
});
