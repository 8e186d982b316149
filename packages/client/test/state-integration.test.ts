import type { HubOptions } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type StateRefusal,
  type StateSnapshot,
  type StateStore,
  SwitchyardError,
} from "../src/index.js";
import { HubServer, useIntegration } from "./hub-fixture.js";

const { disposers, connectClient } = useIntegration();

const STATE: HubOptions["state"] = {
  documents: {
    settings: {
      keys: {
        damping: { schema: z.number().min(0).max(1), default: 0.5 },
        gravity: z.number(),
        theme: z.string(),
        counter: z.number(),
      },
      read: "anyone",
      write: { "": "anyone" },
      presets: { moon: { gravity: 1.62, damping: 0.1 } },
    },
  },
};

async function startHub() {
  const fixture = await HubServer.start({ allowAnonymous: true, state: STATE });
  disposers.push(() => fixture.stop());
  return fixture;
}

/** A client with a store of `settings`, every change of which is recorded and pokes a signal. */
async function follow(url: string, options: Parameters<typeof connectClient>[1] = {}) {
  const watched = connectClient(url, options);
  const store: StateStore = watched.client.state("settings");
  disposers.push(() => store.dispose());
  const seen: StateSnapshot[] = [];
  const refusals: StateRefusal[] = [];
  store.subscribe(() => {
    seen.push(store.getSnapshot());
    watched.signal.poke();
  });
  store.on("refused", (refusal) => {
    refusals.push(refusal);
    watched.signal.poke();
  });
  const until = (check: (snapshot: StateSnapshot) => boolean, what: string) =>
    watched.signal.until(() => check(store.getSnapshot()), what);
  await until((s) => s.status === "ready", "the store ready");
  return { ...watched, store, seen, refusals, until };
}

describe("client.state against a real hub", () => {
  it("loads the document with its defaults, then follows other writers", async () => {
    const fixture = await startHub();
    await fixture.hub.state("settings").set("gravity", 9.81);
    const a = await follow(fixture.url);
    expect(a.store.getSnapshot()).toMatchObject({
      name: "settings",
      status: "ready",
      version: 1,
      values: { damping: 0.5, gravity: 9.81 },
      pending: [],
      error: null,
    });
    expect(a.store.getSnapshot().entries.gravity).toMatchObject({ value: 9.81, version: 1 });
    const b = await follow(fixture.url);
    await b.store.set("theme", "dark");
    await a.until((s) => s.values.theme === "dark", "b's write on a");
    expect(a.store.getSnapshot().version).toBe(2);
    // Unchanged state keeps its snapshot object (useSyncExternalStore relies on it).
    expect(a.store.getSnapshot()).toBe(a.store.getSnapshot());
  });

  it("shows a write at once, and the hub's entry once it is answered", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const write = a.store.set("gravity", 3.7);
    // Optimistic: before any reply.
    expect(a.store.getSnapshot()).toMatchObject({ values: { gravity: 3.7 }, pending: ["gravity"] });
    expect(a.store.getSnapshot().entries.gravity).toBeUndefined();
    const result = await write;
    expect(result.version).toBe(1);
    expect(a.store.getSnapshot()).toMatchObject({ version: 1, pending: [] });
    expect(a.store.getSnapshot().entries.gravity).toMatchObject({ value: 3.7, version: 1 });
    expect(await fixture.hub.state("settings").value("gravity")).toBe(3.7);
  });

  it("hides the echoes of a key's earlier writes while later ones wait", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const writes = [1, 2, 3, 4, 5].map((n) => a.store.set("counter", n));
    await Promise.all(writes);
    await a.until((s) => s.version === 5 && s.pending.length === 0, "every echo");
    // The shown value only went forward: the replies and echoes of 1..4 never showed again.
    const shown = a.seen.map((s) => s.values.counter).filter((v) => v !== undefined);
    expect(shown).toEqual([...shown].sort());
    expect(shown.at(-1)).toBe(5);
    expect(a.store.getSnapshot().entries.counter).toMatchObject({ value: 5, version: 5 });
  });

  it("rolls a refused write back and reports it, even when the promise is ignored", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    await a.store.set("damping", 0.3);
    void a.store.set("damping", 7); // out of its schema's range; the promise is ignored
    expect(a.store.getSnapshot().values.damping).toBe(7);
    await a.until((s) => s.error !== null, "the refusal");
    const snapshot = a.store.getSnapshot();
    expect(snapshot.values.damping).toBe(0.3);
    expect(snapshot.pending).toEqual([]);
    expect(snapshot.error?.error.code).toBe("state_invalid_value");
    expect(snapshot.error?.write).toEqual({ kind: "write", set: { damping: 7 } });
    expect(a.refusals.map((r) => r.error.code)).toEqual(["state_invalid_value"]);
    // The awaited form rejects with the same kind of error; a later accepted write clears it.
    await expect(a.store.set("nope" as string, 1)).rejects.toMatchObject({
      code: "state_unknown_key",
    });
    await a.store.set("damping", 0.4);
    expect(a.store.getSnapshot().error).toBeNull();
  });

  it("refuses a compare-and-set on a stale version, with the current entries", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const b = await follow(fixture.url);
    const seenVersion = a.store.getSnapshot().version;
    await b.store.set("theme", "dark");
    const refused = a.store.set("theme", "light", { ifVersion: seenVersion });
    expect(a.store.getSnapshot().values.theme).toBe("light");
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: "state_conflict", details: { version: 1 } });
    // Rolled back to the hub's value, which the conflict carried even if the echo is late.
    expect(a.store.getSnapshot().values.theme).toBe("dark");
    // The conflict says version 1 exists; the store's version follows once b's write is seen
    // whole (its changes event), since the conflict carries only the keys of this write.
    expect(a.store.getSnapshot().latestVersion).toBe(1);
    await a.until((s) => s.version === 1, "b's write seen whole");
    expect(a.refusals[0]?.write).toEqual({ kind: "write", set: { theme: "light" }, ifVersion: 0 });
    // With the current version it goes through.
    await a.store.batch(
      { set: { theme: "light", gravity: 1 }, delete: ["damping"] },
      { ifVersion: a.store.getSnapshot().version },
    );
    await b.until((s) => s.values.theme === "light", "a's batch on b");
    // A deleted key with a default shows its default again.
    expect(b.store.getSnapshot().values).toMatchObject({
      theme: "light",
      gravity: 1,
      damping: 0.5,
    });
  });

  it("queues writes while offline, shows them, and sends them when the link is back", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const b = await follow(fixture.url);
    a.client.disconnect();
    await a.until((s) => s.status === "offline", "a offline");
    const queued = a.store.set("gravity", 24.8);
    expect(a.store.getSnapshot()).toMatchObject({
      status: "offline",
      values: { gravity: 24.8 },
      pending: ["gravity"],
    });
    // Meanwhile someone else writes: a recovers it after the reconnect.
    await b.store.set("theme", "dark");
    a.client.connect();
    await queued;
    await a.until((s) => s.status === "ready" && s.values.theme === "dark", "a recovered");
    await b.until((s) => s.values.gravity === 24.8, "a's queued write on b");
    const document = await fixture.hub.state("settings").get();
    await a.until((s) => s.version === document.version, "a at the hub's version");
    expect(a.store.getSnapshot().values).toEqual(b.store.getSnapshot().values);
  });

  it("refuses a write beyond the outbox bound and rolls it back", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url, { outbox: { limit: 2 } });
    a.client.disconnect();
    await a.until((s) => s.status === "offline", "a offline");
    const first = a.store.set("gravity", 1);
    const second = a.store.set("theme", "dark");
    const third = a.store.set("counter", 3);
    await expect(third).rejects.toMatchObject({ code: "outbox_full" });
    expect(a.store.getSnapshot().values).toMatchObject({ gravity: 1, theme: "dark" });
    expect(a.store.getSnapshot().values.counter).toBeUndefined();
    expect(a.refusals.map((r) => r.error.code)).toEqual(["outbox_full"]);
    a.client.connect();
    await Promise.all([first, second]);
    expect(await fixture.hub.state("settings").get()).toMatchObject({ version: 2 });
  });

  it("applies a preset, and reports an undo's conflicts", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const b = await follow(fixture.url);
    await a.store.applyPreset("moon");
    expect(a.store.getSnapshot().values).toMatchObject({ gravity: 1.62, damping: 0.1 });
    await expect(a.store.applyPreset("mars")).rejects.toMatchObject({
      code: "state_unknown_preset",
    });
    await a.store.set("theme", "dark");
    await a.store.set("counter", 1);
    await b.until((s) => s.values.counter === 1, "a's writes on b");
    await b.store.set("counter", 2);
    // a's last write set counter, which b changed since: left alone, reported.
    const undo = await a.store.undo();
    expect(undo.undone).toBe(true);
    expect(undo.conflicts.map((c) => c.key)).toEqual(["counter"]);
    expect(a.store.getSnapshot().conflicts).toEqual(undo.conflicts);
    await a.until((s) => s.values.counter === 2, "b's value kept");
    // Undoing again reverts theme.
    await a.store.undo();
    await b.until((s) => s.values.theme === undefined, "theme undone on b");
    expect(a.store.getSnapshot().conflicts).toEqual([]);
  });

  it("lets an anonymous writer undo after a reconnect: the undo stack is its browser session's", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    await a.store.set("theme", "dark");
    const first = a.client.connection.getSnapshot().info;
    fixture.destroySockets();
    await a.signal.until(() => {
      const { status, info } = a.client.connection.getSnapshot();
      return status === "connected" && info !== null && info.clientId !== first?.clientId;
    }, "a reconnected as a new client");
    expect(a.client.connection.getSnapshot().info?.sessionId).toBe(first?.sessionId);
    const undo = await a.store.undo();
    expect(undo).toMatchObject({ undone: true, conflicts: [] });
    await a.until((snapshot) => snapshot.values.theme === undefined, "theme undone");
  });

  it("takes a reload from the server: keys it lacks are gone", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    await a.store.batch({ set: { theme: "dark", counter: 4 } });
    await fixture.hub.state("settings").reload({ gravity: 9.81 }, { reason: "reload" });
    await a.until((s) => s.values.gravity === 9.81, "the reload");
    expect(a.store.getSnapshot().values).toEqual({ gravity: 9.81, damping: 0.5 });
  });

  it("after a cut mid-write, rolls the unanswered writes back and recovers what the hub applied", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    const outcomes: string[] = [];
    const writes = Array.from({ length: 20 }, (_, n) =>
      a.store.set("counter", n).then(
        () => outcomes.push("accepted"),
        (error: SwitchyardError) => outcomes.push(error.code),
      ),
    );
    fixture.destroySockets();
    await Promise.all(writes);
    // Sent writes whose reply was cut may or may not have applied: they are reported.
    expect(outcomes.every((o) => o === "accepted" || o === "connection_lost")).toBe(true);
    expect(a.refusals.length).toBe(outcomes.filter((o) => o === "connection_lost").length);
    await a.until((s) => s.status === "ready", "a back");
    const document = await fixture.hub.state("settings").get();
    await a.until(
      (s) => s.version === document.version && s.values.counter === document.entries.counter?.value,
      "a at the hub's document",
    );
    expect(a.store.getSnapshot().pending).toEqual([]);
  });

  it("replaces its document when the hub lost it (a reset to an older version)", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    await a.store.batch({ set: { theme: "dark", counter: 1, gravity: 2 } });
    await a.store.set("counter", 2);
    expect(a.store.getSnapshot().version).toBe(2);
    // A new hub with a new memory broker: the document and the channel's history are gone.
    await fixture.stop();
    await a.until((s) => s.status === "offline", "a offline");
    await fixture.start();
    await fixture.hub.state("settings").set("gravity", 9.81);
    await a.until((s) => s.status === "ready" && s.values.gravity === 9.81, "a on the new hub");
    expect(a.store.getSnapshot()).toMatchObject({
      version: 1,
      values: { gravity: 9.81, damping: 0.5 },
    });
    expect(a.store.getSnapshot().values.theme).toBeUndefined();
  });

  it("reports a document the hub does not declare", async () => {
    const fixture = await startHub();
    const { client, signal } = connectClient(fixture.url);
    const store = client.state("missing");
    disposers.push(() => store.dispose());
    store.subscribe(signal.poke);
    await signal.until(() => store.getSnapshot().status === "error", "the refusal");
    expect(store.getSnapshot().subscribeError).toMatchObject({ code: "state_not_found" });
  });

  it("a second store of a live document catches up at once", async () => {
    const fixture = await startHub();
    const a = await follow(fixture.url);
    await fixture.hub.state("settings").set("counter", 7);
    await a.until((s) => s.values.counter === 7, "the server's write");
    // Same client, same channel: the subscription's snapshot is older than the document.
    const second = a.client.state("settings");
    disposers.push(() => second.dispose());
    second.subscribe(a.signal.poke);
    await a.signal.until(() => second.getSnapshot().values.counter === 7, "the second store");
    expect(second.getSnapshot().version).toBe(a.store.getSnapshot().version);
  });
});
