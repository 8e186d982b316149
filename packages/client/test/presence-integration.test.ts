import type { PresenceConnection } from "@switchyard/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { Presence, PresenceState } from "../src/index.js";
import { HubServer, useIntegration } from "./hub-fixture.js";

const SECRET = "switchyard-client-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);

function sign(sub: string): Promise<string> {
  return new SignJWT({ sub, presence: { name: sub.toUpperCase() } })
    .setProtectedHeader({ alg: "HS256" })
    .sign(key);
}

const { disposers, connectClient } = useIntegration();

/** A hub with presence on the `room` namespace (grace 30 s: a reconnect is well within it). */
async function startHub() {
  const fixture = await HubServer.start({
    auth: { secret: SECRET },
    defaultNamespace: { subscribe: "anyone", publish: "anyone" },
    presence: { namespaces: { room: { grace: 30_000 } } },
  });
  disposers.push(() => fixture.stop());
  return fixture;
}

/** A client of user `sub` following the presence of `channel`, with its joins and leaves. */
async function member(url: string, sub: string, channel: string) {
  const watched = connectClient(url, { token: await sign(sub) });
  const presence: Presence = watched.client.presence(channel);
  disposers.push(() => presence.dispose());
  presence.subscribe(watched.signal.poke);
  const joins: PresenceConnection[] = [];
  const leaves: PresenceConnection[] = [];
  presence.on("join", (c) => {
    joins.push(c);
    watched.signal.poke();
  });
  presence.on("leave", (c) => {
    leaves.push(c);
    watched.signal.poke();
  });
  const state = (): PresenceState => presence.getSnapshot();
  await watched.signal.until(() => state().subscription === "subscribed", `${sub} subscribed`);
  return { ...watched, presence, state, joins, leaves };
}

const byUser = (state: PresenceState, userId: string) =>
  state.members.find((m) => m.userId === userId);

describe("client.presence against a real hub", () => {
  it("groups a user's tabs into one member and follows joins and leaves", async () => {
    const hub = await startHub();
    const tab1 = await member(hub.url, "alice", "room:1");
    const tab2 = await member(hub.url, "alice", "room:1");
    const bob = await member(hub.url, "bob", "room:1");
    expect(bob.state().count).toEqual({ members: 2, connections: 3 });
    expect(byUser(bob.state(), "alice")?.clientIds).toHaveLength(2);
    expect(byUser(bob.state(), "alice")?.info).toEqual({ name: "ALICE" });
    await tab1.signal.until(
      () => tab1.state().count.connections === 3,
      () => `alice's first tab sees 3 connections: ${JSON.stringify(tab1.state().count)}`,
    );
    expect(tab1.state().members.map((m) => m.userId)).toEqual(["alice", "bob"]);

    const carol = await member(hub.url, "carol", "room:1");
    await bob.signal.until(() => bob.joins.some((c) => c.userId === "carol"), "carol's join");
    expect(bob.state().count).toEqual({ members: 3, connections: 4 });
    expect(bob.state().members.map((m) => m.userId)).toEqual(["alice", "bob", "carol"]);

    carol.presence.dispose();
    await bob.signal.until(() => bob.leaves.some((c) => c.userId === "carol"), "carol's leave");
    expect(bob.state().count).toEqual({ members: 2, connections: 3 });
    expect(byUser(bob.state(), "carol")).toBeUndefined();

    tab2.presence.dispose();
    await bob.signal.until(() => bob.state().count.connections === 2, "a tab less");
    expect(byUser(bob.state(), "alice")?.clientIds).toHaveLength(1);
    expect(bob.state().count.members).toBe(2);
  });

  it("starts again from the new subscribe reply after a reconnect, with no join or leave", async () => {
    const hub = await startHub();
    const alice = await member(hub.url, "alice", "room:2");
    const bob = await member(hub.url, "bob", "room:2");
    await alice.signal.until(() => alice.state().count.members === 2, "bob in alice's view");
    const before = bob.state();
    const seen = [alice, bob].map((m) => m.joins.length + m.leaves.length);
    hub.destroySockets();
    await bob.signal.until(
      () => bob.state() !== before && bob.state().subscription === "subscribed" && bob.connected(),
      "bob back",
    );
    await alice.signal.until(
      () => alice.connected() && alice.state().subscription === "subscribed",
      "alice back",
    );
    expect(bob.state().count).toEqual({ members: 2, connections: 2 });
    expect(alice.state().count).toEqual({ members: 2, connections: 2 });
    expect([alice, bob].map((m) => m.joins.length + m.leaves.length)).toEqual(seen);
  });

  it("shares the app's subscription to the channel and catches up with the members", async () => {
    const hub = await startHub();
    await member(hub.url, "dora", "room:3");
    const watched = connectClient(hub.url, { token: await sign("eve") });
    const subscription = watched.client.subscribe("room:3");
    disposers.push(() => subscription.unsubscribe());
    subscription.state.subscribe(watched.signal.poke);
    await watched.signal.until(
      () => subscription.state.getSnapshot().status === "subscribed",
      "the app's subscription",
    );
    expect(subscription.state.getSnapshot().presence?.count).toEqual({
      members: 2,
      connections: 2,
    });
    const presence = watched.client.presence("room:3");
    disposers.push(() => presence.dispose());
    presence.subscribe(watched.signal.poke);
    await watched.signal.until(() => presence.getSnapshot().members.length === 2, "the members");
    expect(presence.getSnapshot().members.map((m) => m.userId)).toEqual(["dora", "eve"]);
  });
});
