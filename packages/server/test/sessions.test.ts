/**
 * A session id is not a bearer credential for another identity: a client that connects with
 * someone else's session id gets a session of its own, and none of the other session's live
 * sends, history, or jobs.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHub, createMemoryBroker } from "../src/index.js";
import { JOB_HUB, memoryCluster, twoNodes } from "./features/jobs/helpers.js";
import { RawClient, startHub } from "./helpers/fixtures.js";
import { nextHubEvent } from "./helpers/hub-events.js";
import { signToken } from "./helpers/tokens.js";

/** A session id the hub issued: 43 base64url characters (128 random bits and their MAC). */
const ISSUED = /^[A-Za-z0-9_-]{43}$/;

type Position = { epoch: string; offset: number; recovered?: boolean };
type Result = Record<string, unknown> & { sessionId: string; channels: Record<string, Position> };

async function open(url: string, fields: Record<string, unknown>) {
  const client = new RawClient(url);
  const result = (await client.connect(fields)) as Result;
  return { client, result };
}

interface Attacker {
  name: string;
  /** Connects with the session id it knows of the victim. */
  connect: (
    url: string,
    sessionId: string,
    since: Record<string, Position>,
  ) => ReturnType<typeof open>;
}

const anonymousAttacker: Attacker = {
  name: "an anonymous client",
  connect: (url, sessionId, since) => open(url, { sessionId, since }),
};
const anonymousQueryAttacker: Attacker = {
  name: "an anonymous client with ?sessionId=",
  connect: (url, sessionId, since) =>
    open(`${url}?sessionId=${encodeURIComponent(sessionId)}`, { since }),
};
const otherUser: Attacker = {
  name: "another user",
  connect: async (url, sessionId, since) =>
    open(url, { token: await signToken("mallory"), sessionId, since }),
};

interface Victim {
  name: string;
  /** The connect fields of the victim, without its session id. */
  fields: () => Promise<Record<string, unknown>>;
  /** The session id it asks for on its first connect (none: the hub issues one). */
  asks?: string;
  /** True when the hub gives the victim the id it asked for. */
  honoured: boolean;
  /**
   * The id the attackers try: what the victim asked for, or what it got. An anonymous
   * session's issued id is all an anonymous user has to prove who it is (a bearer secret, as
   * unguessable as a cookie), so only other users are tried with it.
   */
  known: "asked" | "got";
  attackers: Attacker[];
}

const victims: Victim[] = [
  {
    name: "an anonymous victim that asked for a guessable id",
    fields: async () => ({}),
    asks: "victim-tab",
    honoured: false,
    known: "asked",
    attackers: [anonymousAttacker, anonymousQueryAttacker, otherUser],
  },
  {
    name: "an anonymous victim with an issued id",
    fields: async () => ({}),
    honoured: false,
    known: "got",
    attackers: [otherUser],
  },
  {
    name: "an authenticated victim with an issued id",
    fields: async () => ({ token: await signToken("victim") }),
    honoured: false,
    known: "got",
    attackers: [anonymousAttacker, anonymousQueryAttacker, otherUser],
  },
  {
    name: "an authenticated victim with an id of its choice",
    fields: async () => ({ token: await signToken("victim") }),
    asks: "victim-laptop",
    honoured: true,
    known: "got",
    attackers: [anonymousAttacker, anonymousQueryAttacker, otherUser],
  },
];

describe.each(victims)("$name", (victim) => {
  it.each(victim.attackers)(
    "is safe from $name connecting with its session id",
    async (attacker) => {
      const { hub, url } = await startHub(JOB_HUB);
      const victimFields = await victim.fields();
      const first = await open(url, {
        ...victimFields,
        ...(victim.asks === undefined ? {} : { sessionId: victim.asks }),
      });
      const { sessionId } = first.result;
      if (victim.honoured) expect(sessionId).toBe(victim.asks);
      else expect(sessionId).toMatch(ISSUED);
      const channel = `$session:${sessionId}`;
      const sent = await hub.sendToSession(sessionId, "secret", { n: 1 });
      await first.client.next((f) => f.type === "event" && f.channel === channel);
      await hub.jobs.create({ id: "victim-job", owner: { sessionId } });
      const fromStart = { epoch: sent.epoch as string, offset: 0 };
      const known = victim.known === "asked" ? (victim.asks as string) : sessionId;

      // Connecting with the victim's id and a position at its start gives a session of its own.
      const intruder = await attacker.connect(url, known, {
        [`$session:${known}`]: fromStart,
        [channel]: fromStart,
      });
      const own = intruder.result.sessionId;
      expect(own).not.toBe(sessionId);
      expect(Object.keys(intruder.result.channels)).not.toContain(channel);
      expect(Object.keys(intruder.result.channels)).toContain(`$session:${own}`);

      // History replay: the victim's channel cannot be subscribed from its start either.
      const replay = await intruder.client.request({
        type: "subscribe",
        channel,
        since: fromStart,
      });
      expect(replay.error).toMatchObject({ code: "forbidden" });

      // Live sends reach the victim only.
      await hub.sendToSession(sessionId, "secret", { n: 2 });
      await first.client.next(
        (f) => f.type === "event" && f.channel === channel && (f.data as { n: number }).n === 2,
      );
      await hub.sendToSession(own, "marker", {});
      await intruder.client.next((f) => f.type === "event" && f.event === "marker");
      expect(intruder.client.events().map((f) => f.channel)).toEqual([`$session:${own}`]);

      // Jobs of the victim's session: not listed, not cancellable.
      const listed = await intruder.client.request({ type: "rpc", method: "job.list", data: {} });
      expect(listed.result).toEqual({ jobs: [] });
      const cancel = await intruder.client.request({
        type: "rpc",
        method: "job.cancel",
        data: { id: "victim-job" },
      });
      expect(cancel.error).toMatchObject({ code: "forbidden" });
      const get = await intruder.client.request({
        type: "rpc",
        method: "job.get",
        data: { id: "victim-job" },
      });
      expect(get.error).toMatchObject({ code: "forbidden" });
      const watch = await intruder.client.request({ type: "subscribe", channel: "job:victim-job" });
      expect(watch.error).toMatchObject({ code: "forbidden" });
      // Nor can it publish into the victim's session.
      const spoof = await intruder.client.request({
        type: "publish",
        channel,
        event: "secret",
        data: { n: 99 },
      });
      expect(spoof.error).toMatchObject({ code: "forbidden" });
      expect(await hub.jobs.get("victim-job")).toMatchObject({
        status: "running",
        cancelRequested: false,
      });

      // The victim comes back to its session, recovers both events and finds its job.
      const back = await open(url, { ...victimFields, sessionId, since: { [channel]: fromStart } });
      expect(back.result.sessionId).toBe(sessionId);
      expect(back.result.channels[channel]).toMatchObject({ recovered: true });
      await back.client.next(
        (f) => f.type === "event" && f.channel === channel && (f.data as { n: number }).n === 2,
      );
      expect(back.client.events(channel).map((f) => f.data)).toEqual([{ n: 1 }, { n: 2 }]);
      const mine = await back.client.request({ type: "rpc", method: "job.list", data: {} });
      expect((mine.result as { jobs: { id: string }[] }).jobs.map((job) => job.id)).toEqual([
        "victim-job",
      ]);
    },
  );
});

describe("session ids", () => {
  it("are issued by the hub, 43 base64url characters, a new one for every client that asks none", async () => {
    const { url } = await startHub(JOB_HUB);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await open(url, {})).result.sessionId);
    ids.add((await open(url, { token: await signToken("ada") })).result.sessionId);
    expect(ids.size).toBe(6);
    for (const id of ids) expect(id).toMatch(ISSUED);
  });

  it("are not honoured for an anonymous client unless the hub issued them", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const forged = "A".repeat(43);
    const given = new Set<string>();
    for (const sessionId of ["abc", "abc", forged, "victim-laptop"]) {
      const { result } = await open(url, { sessionId });
      expect(result.sessionId).not.toBe(sessionId);
      expect(result.sessionId).toMatch(ISSUED);
      given.add(result.sessionId);
    }
    expect(given.size).toBe(4);
    // Nobody is in the session "abc".
    expect(hub.clients().some((client) => client.sessionId === "abc")).toBe(false);
  });

  it("keeps an anonymous client's issued id when it reconnects", async () => {
    const { url } = await startHub(JOB_HUB);
    const { result } = await open(url, {});
    const again = await open(url, { sessionId: result.sessionId });
    expect(again.result.sessionId).toBe(result.sessionId);
  });

  it("bind an id an authenticated user chose to that user: its other tabs join, nobody else", async () => {
    const { url } = await startHub(JOB_HUB);
    const ada = await signToken("ada");
    const tab = await open(url, { token: ada, sessionId: "ada-laptop" });
    expect(tab.result.sessionId).toBe("ada-laptop");
    expect((await open(url, { token: ada, sessionId: "ada-laptop" })).result.sessionId).toBe(
      "ada-laptop",
    );
    const bob = await open(url, { token: await signToken("bob"), sessionId: "ada-laptop" });
    expect(bob.result.sessionId).toMatch(ISSUED);
    const anonymous = await open(url, { sessionId: "ada-laptop" });
    expect(anonymous.result.sessionId).toMatch(ISSUED);
    // Ada's id stays hers after the others tried it.
    expect((await open(url, { token: ada, sessionId: "ada-laptop" })).result.sessionId).toBe(
      "ada-laptop",
    );
  });

  it("bind an id issued to a user to that user, and one issued to an anonymous client to no user", async () => {
    const { url } = await startHub(JOB_HUB);
    const [ada, bob] = [await signToken("ada"), await signToken("bob")];
    const issuedToAda = (await open(url, { token: ada })).result.sessionId;
    expect((await open(url, { token: ada, sessionId: issuedToAda })).result.sessionId).toBe(
      issuedToAda,
    );
    expect((await open(url, { token: bob, sessionId: issuedToAda })).result.sessionId).not.toBe(
      issuedToAda,
    );
    expect((await open(url, { sessionId: issuedToAda })).result.sessionId).not.toBe(issuedToAda);
    const anonymous = (await open(url, {})).result.sessionId;
    expect((await open(url, { token: ada, sessionId: anonymous })).result.sessionId).not.toBe(
      anonymous,
    );
  });

  it("hold across the nodes of a cluster", async () => {
    const { a, b } = await twoNodes(JOB_HUB);
    const anonymous = (await open(a.url, {})).result.sessionId;
    expect((await open(b.url, { sessionId: anonymous })).result.sessionId).toBe(anonymous);
    const ada = await signToken("ada");
    expect((await open(a.url, { token: ada, sessionId: "ada-laptop" })).result.sessionId).toBe(
      "ada-laptop",
    );
    expect((await open(b.url, { token: ada, sessionId: "ada-laptop" })).result.sessionId).toBe(
      "ada-laptop",
    );
    const bob = await open(b.url, { token: await signToken("bob"), sessionId: "ada-laptop" });
    expect(bob.result.sessionId).not.toBe("ada-laptop");
    expect((await open(b.url, { sessionId: "abc" })).result.sessionId).not.toBe("abc");
  });
});

describe("the binding of an id a user chose", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A hub whose key-value store runs on `clock`, with a session ttl of one second. */
  async function hubOnClock() {
    // Only the intervals are fake: the renewal round runs when the test says so.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = { now: 1_700_000_000_000 };
    const broker = createMemoryBroker({ now: () => clock.now });
    const fixture = await startHub({
      ...JOB_HUB,
      broker,
      sessionTtl: 1_000,
      personalHistory: { ttl: 1_000 },
    });
    return { ...fixture, clock };
  }

  it("is renewed while its user is connected and runs out sessionTtl after its last link", async () => {
    const { hub, url, clock } = await hubOnClock();
    const ada = await signToken("ada");
    await open(url, { token: ada, sessionId: "ada-laptop" });
    const phone = await open(url, { token: ada, sessionId: "ada-phone" });
    const left = nextHubEvent(hub, "disconnect", (info) => info.client.sessionId === "ada-phone");
    phone.client.ws.close();
    await left;

    clock.now += 1_000;
    await vi.advanceTimersByTimeAsync(250);
    clock.now += 1_200;
    const bob = await signToken("bob");
    // Renewed while connected: still Ada's.
    const laptop = await open(url, { token: bob, sessionId: "ada-laptop" });
    expect(laptop.result.sessionId).not.toBe("ada-laptop");
    // Nobody connected to it for longer than its ttl: free for the next user who asks.
    const taken = await open(url, { token: bob, sessionId: "ada-phone" });
    expect(taken.result.sessionId).toBe("ada-phone");
  });

  it("closes its clients with broker_reset when the renewal finds it taken by another user", async () => {
    const { url, clock } = await hubOnClock();
    const ada = await open(url, { token: await signToken("ada"), sessionId: "ada-laptop" });
    // The binding was lost (the store's clock jumped past it) and another user took the id.
    clock.now += 5_000;
    const bob = await open(url, { token: await signToken("bob"), sessionId: "ada-laptop" });
    expect(bob.result.sessionId).toBe("ada-laptop");
    await vi.advanceTimersByTimeAsync(250);
    expect(await ada.client.waitClose()).toBe(4204);
    expect(bob.client.closeCode).toBeUndefined();
  });
});

describe("the secret that signs issued ids", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is put back in the key-value store when the store lost it, so issued ids stay valid", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const node = memoryCluster();
    const options = { ...JOB_HUB, sessionTtl: 1_000, personalHistory: { ttl: 1_000 } };
    const first = await startHub({ ...options, broker: node() });
    const issued = (await open(first.url, {})).result.sessionId;
    // The store loses it (a Redis restart without persistence, FLUSHALL).
    await first.hub.broker.kv.delete("session/secret");
    await vi.advanceTimersByTimeAsync(250);
    // A node that starts now reads the secret the first node put back.
    const second = await startHub({ ...options, broker: node() });
    expect((await open(second.url, { sessionId: issued })).result.sessionId).toBe(issued);
  });
});

describe("the sessionTtl option", () => {
  it("must be a positive number of milliseconds, at least the personal history's ttl", async () => {
    for (const sessionTtl of [0, -1, Number.NaN]) {
      expect(() => createHub({ sessionTtl })).toThrow(/sessionTtl/);
    }
    expect(() => createHub({ sessionTtl: 60_000 })).toThrow(/personalHistory/);
    const hub = createHub({ sessionTtl: 60_000, personalHistory: { ttl: 60_000 } });
    await hub.close();
  });
});
