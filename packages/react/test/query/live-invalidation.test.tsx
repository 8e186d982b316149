// @vitest-environment happy-dom
/**
 * `useLiveInvalidation` against a real hub on port 0: bursts of channel events coalesce into
 * one invalidation per key per frame, and a reset (history lost) invalidates every covered key.
 */
import type { Subscription } from "@switchyard/client";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { HubServer, useIntegration } from "../../../client/test/hub-fixture.js";
import { signToken, TEST_SECRET } from "../../../server/test/helpers/tokens.js";
import type { FrameScheduler, LiveRule } from "../../src/query/index.js";
import { type Backend, CacheWatch, KEYS, renderScreen, screenText } from "./query-fixture.js";

// biome-ignore lint/correctness/useHookAtTopLevel: a Vitest fixture (cleanups after each test), not a React hook.
const integration = useIntegration();

/** seed 003: "equipment changed" invalidates the list and the item; sessions a fixed key. */
const RULES: readonly LiveRule[] = [
  {
    channel: "equipment",
    events: ["equipment_changed"],
    invalidate: (event) => [KEYS.list, ["equipment", (event.data as { id: number }).id]],
    covers: [KEYS.list],
  },
  { channel: "sessions", invalidate: [KEYS.sessions] },
];

const BURST = 1000;

/** A hub whose channels keep `history` events, a client, a query client and probes. */
async function setup(history: number) {
  const server = await HubServer.start({
    allowAnonymous: true,
    defaultNamespace: {
      subscribe: "anyone",
      history: { size: history, ttl: 120_000 },
    },
  });
  integration.disposers.push(() => server.stop());
  const { client, signal } = integration.connectClient(server.url);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  integration.disposers.push(() => queryClient.clear());
  const watch = new CacheWatch(queryClient);
  const backend: Backend = { list: 0, one: 0, two: 0, sessions: 0, unrelated: 0 };
  // The test's own subscriptions share the hook's channels: they see what the hook sees.
  const seen = { events: 0, resets: 0 };
  const probe = (channel: string): Subscription => {
    const subscription = client.subscribe(channel, {
      onEvent: () => {
        seen.events += 1;
        signal.poke();
      },
      onReset: () => {
        seen.resets += 1;
        signal.poke();
      },
    });
    subscription.state.subscribe(signal.poke);
    integration.disposers.push(() => subscription.unsubscribe());
    return subscription;
  };
  const probes = [probe("equipment"), probe("sessions")];
  // Live before the screen mounts: the hook finds its channels live (no first-live refresh).
  await signal.until(
    () => probes.every((sub) => sub.state.getSnapshot().status === "subscribed"),
    "both channels live",
  );
  return { server, client, signal, queryClient, watch, backend, seen };
}

/** 1,000 "equipment changed" events over items 1 and 2, and 1,000 session events. */
async function burst(server: HubServer, backend: Backend): Promise<void> {
  const published: Promise<unknown>[] = [];
  for (let n = 0; n < BURST; n++) {
    const id = (n % 2) + 1;
    backend.list += 1;
    backend[id === 1 ? "one" : "two"] += 1;
    backend.sessions += 1;
    published.push(server.hub.publish("equipment", "equipment_changed", { id }));
    published.push(server.hub.publish("sessions", "session_update", { n }));
  }
  await Promise.all(published);
}

describe("useLiveInvalidation", () => {
  it("invalidates each key once for 1,000 events in one frame, and nothing before the frame", async () => {
    const { server, client, signal, queryClient, watch, backend, seen } = await setup(BURST);
    const frames: (() => void)[] = [];
    const schedule: FrameScheduler = (flush) => {
      frames.push(flush);
      return () => {
        if (frames.includes(flush)) frames.splice(frames.indexOf(flush), 1);
      };
    };
    const screen = renderScreen({
      client,
      queryClient,
      backend,
      watch,
      rules: RULES,
      live: { schedule, refetchOnSubscribed: false },
    });
    integration.disposers.push(screen.unmount);
    await watch.settled();
    watch.reset();

    await burst(server, backend);
    await signal.until(
      () => seen.events === 2 * BURST,
      () => `${2 * BURST} events, ${seen.events}`,
    );
    expect(watch.invalidationCounts()).toEqual({
      list: 0,
      one: 0,
      two: 0,
      sessions: 0,
      unrelated: 0,
    });
    expect(frames).toHaveLength(1);

    frames.shift()?.();
    await watch.settled();
    await watch.signal.until(
      () => screenText(screen.container).includes(`sessions: ${BURST}`),
      "the screen to show the new sessions",
    );
    expect(watch.invalidationCounts()).toEqual({
      list: 1,
      one: 1,
      two: 1,
      sessions: 1,
      unrelated: 0,
    });
    expect(watch.fetchCounts()).toEqual({ list: 1, one: 1, two: 1, sessions: 1, unrelated: 0 });
    expect(screenText(screen.container)).toEqual([
      `list: ${BURST}`,
      `one: ${BURST / 2}`,
      `two: ${BURST / 2}`,
      `sessions: ${BURST}`,
      "unrelated: 0",
    ]);
    expect(frames).toHaveLength(0);
  });

  it("on its default 16 ms frames, invalidates each key a few times for a burst, not 1,000", async () => {
    const { server, client, signal, queryClient, watch, backend, seen } = await setup(BURST);
    const screen = renderScreen({ client, queryClient, backend, watch, rules: RULES });
    integration.disposers.push(screen.unmount);
    await watch.settled();
    watch.reset();

    await burst(server, backend);
    await signal.until(() => seen.events === 2 * BURST, "the burst");
    await watch.signal.until(
      () => screenText(screen.container).includes(`sessions: ${BURST}`),
      "the screen to show the new sessions",
    );
    await watch.settled();
    const counts = watch.invalidationCounts();
    console.log(
      `${2 * BURST} events: invalidations per key`,
      counts,
      "fetches",
      watch.fetchCounts(),
    );
    expect(counts.unrelated).toBe(0);
    for (const name of ["list", "one", "two", "sessions"] as const) {
      expect(counts[name]).toBeGreaterThanOrEqual(1);
      expect(counts[name]).toBeLessThanOrEqual(10);
    }
    expect(screenText(screen.container)).toEqual([
      `list: ${BURST}`,
      `one: ${BURST / 2}`,
      `two: ${BURST / 2}`,
      `sessions: ${BURST}`,
      "unrelated: 0",
    ]);
  });

  it("invalidates every covered key once after a reset, and no other", async () => {
    const { server, client, signal, queryClient, watch, backend, seen } = await setup(5);
    const screen = renderScreen({ client, queryClient, backend, watch, rules: RULES });
    integration.disposers.push(screen.unmount);
    await watch.settled();
    watch.reset();

    // More changes than the channels keep while the client is away: the reset refetches them.
    client.disconnect();
    for (let n = 1; n <= 7; n++) {
      backend.list += 1;
      backend[n % 2 === 1 ? "one" : "two"] += 1;
      backend.sessions += 1;
      await server.hub.publish("equipment", "equipment_changed", { id: (n % 2) + 1 });
      await server.hub.publish("sessions", "session_update", { n });
    }
    backend.unrelated = 9;
    client.connect();
    await signal.until(
      () => seen.resets === 2,
      () => `both channels to reset: ${seen.resets}`,
      5000,
    );
    await watch.signal.until(
      () => screenText(screen.container).includes("sessions: 7"),
      "the screen to show the reloaded sessions",
    );
    await watch.settled();
    expect(watch.invalidationCounts()).toEqual({
      list: 1,
      one: 1,
      two: 1,
      sessions: 1,
      unrelated: 0,
    });
    expect(screenText(screen.container)).toEqual([
      "list: 7",
      "one: 4",
      "two: 3",
      "sessions: 7",
      "unrelated: 0",
    ]);
  });

  it("shares one batch between the hooks of a query client: one invalidation per key", async () => {
    const { server, client, queryClient, watch, backend } = await setup(BURST);
    const screens = [1, 2].map(() =>
      renderScreen({ client, queryClient, backend, watch, rules: RULES }),
    );
    for (const screen of screens) {
      integration.disposers.push(screen.unmount);
      await watch.signal.until(
        () =>
          screenText(screen.container).join() === "list: 0,one: 0,two: 0,sessions: 0,unrelated: 0",
        () => screenText(screen.container).join(),
      );
    }
    await watch.settled();
    watch.reset();

    backend.list = 1;
    backend.one = 1;
    backend.sessions = 1;
    await server.hub.publish("equipment", "equipment_changed", { id: 1 });
    await server.hub.publish("sessions", "session_update", {});
    for (const screen of screens) {
      await watch.signal.until(
        () =>
          screenText(screen.container).join() === "list: 1,one: 1,two: 0,sessions: 1,unrelated: 0",
        () => screenText(screen.container).join(),
      );
    }
    await watch.settled();
    expect(watch.invalidationCounts()).toEqual({
      list: 1,
      one: 1,
      two: 1,
      sessions: 1,
      unrelated: 0,
    });
    expect(watch.fetchCounts()).toEqual({ list: 1, one: 1, two: 1, sessions: 1, unrelated: 0 });
  });

  it("follows a user's personal channel: its events invalidate, a reset past its history refetches", async () => {
    const server = await HubServer.start({
      auth: { secret: TEST_SECRET },
      personalHistory: { size: 3, ttl: 120_000 },
    });
    integration.disposers.push(() => server.stop());
    const { client, signal } = integration.connectClient(server.url, {
      token: await signToken("alice"),
    });
    const seen = { events: 0, resets: 0 };
    client.personal.on("event", () => {
      seen.events += 1;
      signal.poke();
    });
    client.personal.on("reset", () => {
      seen.resets += 1;
      signal.poke();
    });
    client.connection.subscribe(signal.poke);
    await signal.until(() => client.connection.getSnapshot().status === "connected", "connected");
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    integration.disposers.push(() => queryClient.clear());
    const watch = new CacheWatch(queryClient);
    const backend: Backend = { list: 0, one: 0, two: 0, sessions: 0, unrelated: 0 };
    // seed 003: a sample submitted to alice refreshes her inbox ("sessions" here).
    const rules: LiveRule[] = [
      { channel: "$user:alice", events: ["sample_received"], invalidate: [KEYS.sessions] },
    ];
    const screen = renderScreen({ client, queryClient, backend, watch, rules });
    integration.disposers.push(screen.unmount);
    await watch.settled();
    watch.reset();

    backend.sessions = 1;
    await server.hub.sendToUser("alice", "sample_received", { id: 1 });
    await server.hub.sendToUser("alice", "unrelated_notice", {});
    await server.hub.sendToUser("bob", "sample_received", { id: 2 });
    await watch.signal.until(
      () => screenText(screen.container).includes("sessions: 1"),
      "the screen to show the new sample",
    );
    await signal.until(
      () => seen.events === 2,
      () => `alice's 2 events, ${seen.events}`,
    );
    await watch.settled();
    expect(watch.invalidationCounts()).toEqual({
      list: 0,
      one: 0,
      two: 0,
      sessions: 1,
      unrelated: 0,
    });

    // Five samples while away, three kept: the reconnect cannot recover them, the reset refetches.
    watch.reset();
    client.disconnect();
    for (let n = 2; n <= 6; n++) {
      backend.sessions = n;
      await server.hub.sendToUser("alice", "sample_received", { id: n });
    }
    client.connect();
    await signal.until(
      () => seen.resets === 1,
      () => `a reset, ${seen.resets}`,
      5000,
    );
    await watch.signal.until(
      () => screenText(screen.container).includes("sessions: 6"),
      "the screen to show the reloaded inbox",
    );
    await watch.settled();
    expect(watch.invalidationCounts().sessions).toBe(1);
    expect(watch.invalidationCounts().list).toBe(0);
    expect(seen.events).toBe(2);
  });
});
