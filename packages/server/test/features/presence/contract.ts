/**
 * The presence feature's contract: one suite that a hub of several nodes passes on the memory
 * broker (in-process nodes) and on Redis (`switchyard serve` processes on one redis-server).
 */
import type { PresenceEventData, PresenceReply } from "@switchyard/protocol";
import { describe, expect, it, vi } from "vitest";
import { connected, type RawClient } from "../../helpers/fixtures.js";
import { signToken, TEST_SECRET } from "../../helpers/tokens.js";

/** Namespaces the suite's hubs must have: `room` (long grace), `lobby` (short), `chat` (off). */
export const SUITE_GRACE = { room: 30_000, lobby: 300 } as const;

/** The hub settings the suite expects (as createHub options or a config file's fields). */
export const SUITE_HUB = {
  allowAnonymous: true,
  auth: { secret: TEST_SECRET },
  defaultNamespace: { subscribe: "anyone", publish: "anyone" },
  presence: {
    namespaces: { room: { grace: SUITE_GRACE.room }, lobby: { grace: SUITE_GRACE.lobby } },
  },
} as const;

/** A running hub of at least three nodes. */
export interface PresenceCluster {
  /** The WebSocket URL of each node. */
  readonly urls: readonly string[];
  /** GET a path of node `node`'s HTTP API (`/api/...`) with its key. */
  get(path: string, node: number): Promise<{ status: number; json: unknown }>;
  /** Connections lost and waiting out their grace, on every node. */
  lost(): Promise<number>;
}

type Frame = Record<string, unknown>;

let serial = 0;
const fresh = (namespace: string) => `${namespace}:${Date.now().toString(36)}-${serial++}`;

async function user(url: string, sub: string | null, sessionId?: string): Promise<RawClient> {
  const fields: Record<string, unknown> = {};
  if (sub !== null) fields.token = await signToken(sub, { presence: { name: sub.toUpperCase() } });
  if (sessionId !== undefined) fields.sessionId = sessionId;
  return connected(url, fields);
}

/** A field of the connect reply of `client`. */
function connectField(client: RawClient, field: "clientId" | "sessionId"): string {
  for (const frame of client.frames) {
    const value = (frame.result as Frame | undefined)?.[field];
    if (frame.type === "reply" && typeof value === "string") return value;
  }
  throw new Error("the client has no connect reply");
}

const clientIdOf = (client: RawClient) => connectField(client, "clientId");
const sessionIdOf = (client: RawClient) => connectField(client, "sessionId");

async function subscribe(client: RawClient, channel: string): Promise<PresenceReply> {
  const reply = await client.request({ type: "subscribe", channel });
  if (reply.error) throw new Error(JSON.stringify(reply.error));
  return (reply.result as { presence: PresenceReply }).presence;
}

/** The `$presence` events `client` received on `channel`. */
function presenceEvents(client: RawClient, channel: string): PresenceEventData[] {
  return client
    .events(channel)
    .filter((f) => f.event === "$presence")
    .map((f) => f.data as PresenceEventData);
}

/** Waits for a `$presence` event on `channel` that passes `test`. */
async function presenceEvent(
  client: RawClient,
  channel: string,
  test: (data: PresenceEventData) => boolean,
): Promise<PresenceEventData> {
  const frame = await client.next(
    (f) => f.channel === channel && f.event === "$presence" && test(f.data as PresenceEventData),
  );
  return frame.data as PresenceEventData;
}

const names = (list: readonly { clientId: string }[] | undefined) =>
  (list ?? []).map((c) => c.clientId);

/** Runs the presence contract against the hubs `start` makes. */
export function presenceSuite(name: string, start: () => Promise<PresenceCluster>): void {
  describe(`presence contract: ${name}`, () => {
    it("groups a user's connections on every node into one member, in replies and counts", async () => {
      const cluster = await start();
      const channel = fresh("room");
      const [n0, n1, n2] = cluster.urls as [string, string, string];
      const tab1 = await user(n0, "alice");
      const tab2 = await user(n1, "alice");
      await subscribe(tab1, channel);
      await subscribe(tab2, channel);
      const bob = await user(n2, "bob");
      const reply = await subscribe(bob, channel);
      expect(reply.count).toEqual({ members: 2, connections: 3 });
      expect(reply.cursor).toBeNull();
      const alice = reply.members?.find((m) => m.userId === "alice");
      expect(alice?.info).toEqual({ name: "ALICE" });
      expect([...(alice?.clientIds ?? [])].sort()).toEqual(
        [clientIdOf(tab1), clientIdOf(tab2)].sort(),
      );
      expect(reply.members?.find((m) => m.userId === "bob")?.clientIds).toEqual([clientIdOf(bob)]);
      const count = await cluster.get(`/api/presence/${encodeURIComponent(channel)}/count`, 1);
      expect(count).toEqual({ status: 200, json: { members: 2, connections: 3 } });
      const page = await cluster.get(`/api/presence/${encodeURIComponent(channel)}?limit=1`, 2);
      expect(page.json).toMatchObject({
        count: { members: 2, connections: 3 },
        members: [{ userId: "alice" }],
      });
    });

    it("tells everyone who joined and who left; an unsubscribe or a normal close leaves at once", async () => {
      const cluster = await start();
      const channel = fresh("room");
      const [n0, n1, n2] = cluster.urls as [string, string, string];
      const watcher = await user(n0, "watcher");
      await subscribe(watcher, channel);
      const carol = await user(n1, "carol");
      await subscribe(carol, channel);
      const joined = await presenceEvent(watcher, channel, (d) =>
        names(d.joined).includes(clientIdOf(carol)),
      );
      expect(joined.joined).toEqual([
        { clientId: clientIdOf(carol), userId: "carol", info: { name: "CAROL" } },
      ]);
      expect(joined.count).toEqual({ members: 2, connections: 2 });

      // The grace of `room` is 30 s: a leave seen now was not held back by it.
      await carol.request({ type: "unsubscribe", channel });
      const left = await presenceEvent(watcher, channel, (d) =>
        names(d.left).includes(clientIdOf(carol)),
      );
      expect(left.count).toEqual({ members: 1, connections: 1 });

      const dave = await user(n2, null);
      await subscribe(dave, channel);
      // A join and a leave within one batching window cancel out: let the join be seen first.
      await presenceEvent(watcher, channel, (d) => names(d.joined).includes(clientIdOf(dave)));
      dave.ws.close(1000);
      await presenceEvent(watcher, channel, (d) => names(d.left).includes(clientIdOf(dave)));
    });

    it("emits no leave and no join when a session comes back within the grace, on another node", async () => {
      const cluster = await start();
      const channel = fresh("room");
      const [n0, n1, n2] = cluster.urls as [string, string, string];
      const watcher = await user(n2, "watcher");
      await subscribe(watcher, channel);
      const before = await user(n0, "erin");
      await subscribe(before, channel);
      await presenceEvent(watcher, channel, (d) => names(d.joined).includes(clientIdOf(before)));
      before.ws.terminate();
      await vi.waitFor(async () => expect(await cluster.lost()).toBe(1), { timeout: 10_000 });

      const after = await user(n1, "erin", sessionIdOf(before));
      const reply = await subscribe(after, channel);
      expect(reply.count).toEqual({ members: 2, connections: 2 });
      expect(reply.members?.find((m) => m.userId === "erin")?.clientIds).toEqual([
        clientIdOf(after),
      ]);
      // A later join shows everything before it reached the watcher: nothing about erin.
      const marker = await user(n0, "marker");
      await subscribe(marker, channel);
      const event = await presenceEvent(watcher, channel, (d) =>
        names(d.joined).includes(clientIdOf(marker)),
      );
      expect(event.count).toEqual({ members: 3, connections: 3 });
      const erin = [clientIdOf(before), clientIdOf(after)];
      const events = presenceEvents(watcher, channel);
      const joinedAt = events.findIndex((d) => names(d.joined).includes(clientIdOf(before)));
      for (const data of events.slice(joinedAt + 1)) {
        expect(
          [...names(data.joined), ...names(data.left)].filter((id) => erin.includes(id)),
        ).toEqual([]);
      }
    });

    it("lets a lost connection leave once its grace is over", async () => {
      const cluster = await start();
      const channel = fresh("lobby");
      const [n0, n1] = cluster.urls as [string, string];
      const watcher = await user(n0, "watcher");
      await subscribe(watcher, channel);
      const frank = await user(n1, "frank");
      await subscribe(frank, channel);
      frank.ws.terminate();
      const left = await presenceEvent(watcher, channel, (d) =>
        names(d.left).includes(clientIdOf(frank)),
      );
      expect(left.count).toEqual({ members: 1, connections: 1 });
    });

    it("pages members with presence.list, for subscribers only", async () => {
      const cluster = await start();
      const channel = fresh("room");
      const urls = cluster.urls;
      for (let i = 0; i < 5; i++) {
        await subscribe(await user(urls[i % urls.length] as string, `user-${i}`), channel);
      }
      const reader = await user(urls[0] as string, "user-5");
      const refused = await reader.request({
        type: "rpc",
        method: "presence.list",
        data: { channel },
      });
      expect(refused.error).toMatchObject({ code: "not_subscribed" });
      await subscribe(reader, channel);
      const seen: (string | null)[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const reply = await reader.request({
          type: "rpc",
          method: "presence.list",
          data: { channel, limit: 2, ...(cursor === null ? {} : { cursor }) },
        });
        const page = reply.result as { members: { userId: string }[]; cursor: string | null };
        seen.push(...page.members.map((m) => m.userId));
        cursor = page.cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(["user-0", "user-1", "user-2", "user-3", "user-4", "user-5"]);
      expect(pages).toBe(3);
    });

    it("answers presence_disabled on a namespace without presence, and checks its input", async () => {
      const cluster = await start();
      const client = await user(cluster.urls[0] as string, "gina");
      await subscribe(client, "chat:1");
      const rpc = (data: unknown) => client.request({ type: "rpc", method: "presence.list", data });
      expect((await rpc({ channel: "chat:1" })).error).toMatchObject({ code: "presence_disabled" });
      expect((await rpc({ channel: "bad channel" })).error).toMatchObject({
        code: "invalid_channel",
      });
      const room = fresh("room");
      await subscribe(client, room);
      expect((await rpc({ channel: room, limit: 0 })).error).toMatchObject({
        code: "invalid_data",
      });
      expect((await rpc({ channel: room, extra: 1 })).error).toMatchObject({
        code: "invalid_data",
      });
      const http = await cluster.get("/api/presence/chat%3A1", 1);
      expect(http).toMatchObject({ status: 400, json: { error: { code: "presence_disabled" } } });
      const count = await cluster.get("/api/presence/chat%3A1/count", 2);
      expect(count).toMatchObject({ status: 400, json: { error: { code: "presence_disabled" } } });
      const limit = await cluster.get(`/api/presence/${encodeURIComponent(room)}?limit=x`, 0);
      expect(limit).toMatchObject({ status: 400, json: { error: { code: "invalid_body" } } });
    });
  });
}
