import type { PresenceEventData, PresenceReply } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { type BrokerEvent, createHttpApi } from "../../../src/index.js";
import { connected, OPEN_POLICY, onCleanup, RawClient, startHub } from "../../helpers/fixtures.js";

/** Server code's view of the `$presence` events of a channel, with a way to wait. */
async function presenceEvents(hub: Awaited<ReturnType<typeof startHub>>["hub"], channel: string) {
  const events: PresenceEventData[] = [];
  const waiters = new Set<() => void>();
  const stop = await hub.listen(channel, (event: BrokerEvent) => {
    if (event.event !== "$presence") return;
    events.push(event.data as PresenceEventData);
    for (const wake of [...waiters]) wake();
  });
  onCleanup(stop);
  const until = (test: (all: PresenceEventData[]) => boolean) =>
    new Promise<PresenceEventData[]>((resolve) => {
      const wake = () => {
        if (!test(events)) return;
        waiters.delete(wake);
        resolve(events);
      };
      waiters.add(wake);
      wake();
    });
  return { events, until };
}

async function subscribe(client: RawClient, channel: string): Promise<PresenceReply> {
  const reply = await client.request({ type: "subscribe", channel });
  return (reply.result as { presence: PresenceReply }).presence;
}

describe("presence on one hub", () => {
  it("batches 1,000 joins into a few events with the right count", async () => {
    const { hub, url } = await startHub({
      ...OPEN_POLICY,
      limits: { maxConnectionsPerIp: 2_000 },
      presence: { namespaces: { room: true } },
    });
    const channel = "room:crowd";
    const seen = await presenceEvents(hub, channel);
    const clients: RawClient[] = [];
    for (let wave = 0; wave < 10; wave++) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => connected(url)));
      clients.push(...batch);
    }
    await Promise.all(clients.map((client) => subscribe(client, channel)));
    const events = await seen.until(
      (all) => all.reduce((sum, data) => sum + (data.joined?.length ?? 0), 0) >= 1_000,
    );
    // Unbatched, every join would be an event: 1,000 of them, each sent to every member.
    expect(events.length).toBeLessThanOrEqual(20);
    expect(events.at(-1)?.count).toEqual({ members: 1_000, connections: 1_000 });
    const ids = new Set(events.flatMap((data) => (data.joined ?? []).map((c) => c.clientId)));
    expect(ids.size).toBe(1_000);
    expect(await hub.presence(channel).count()).toEqual({ members: 1_000, connections: 1_000 });
  }, 60_000);

  it("goes count-only above the namespace's cap, in replies and events", async () => {
    const { hub, url } = await startHub({
      ...OPEN_POLICY,
      presence: { namespaces: { room: { cap: 2 } } },
    });
    const channel = "room:capped";
    const seen = await presenceEvents(hub, channel);
    const first = await subscribe(await connected(url), channel);
    expect(first.members).toHaveLength(1);
    await subscribe(await connected(url), channel);
    await seen.until((all) => all.some((data) => data.count.members === 2));
    const third = await subscribe(await connected(url), channel);
    expect(third).toEqual({ count: { members: 3, connections: 3 } });
    const events = await seen.until((all) => all.some((data) => data.count.members === 3));
    expect(events.find((data) => data.count.members === 3)).toEqual({
      count: { members: 3, connections: 3 },
    });
    // Paging is on demand and stays possible above the cap.
    const page = await hub.presence(channel).list({ limit: 2 });
    expect(page.members).toHaveLength(2);
    expect(page.cursor).not.toBeNull();
  });

  it("takes the info from the namespace's function, and leaves at once with a grace of 0", async () => {
    const { hub, url } = await startHub({
      ...OPEN_POLICY,
      presence: {
        namespaces: {
          room: { grace: 0, info: (client) => ({ session: client.sessionId.length }) },
        },
      },
    });
    const channel = "room:info";
    const seen = await presenceEvents(hub, channel);
    const client = await connected(url);
    const reply = await subscribe(client, channel);
    expect(reply.members?.[0]?.info).toEqual({ session: expect.any(Number) });
    await seen.until((all) => all.length === 1);
    client.ws.terminate();
    const events = await seen.until((all) => all.some((data) => data.left !== undefined));
    expect(events.at(-1)?.count).toEqual({ members: 0, connections: 0 });
  });

  it("shows the info a connect decision gave (the connect proxy's info) before the token's claim", async () => {
    const { hub, url } = await startHub({
      ...OPEN_POLICY,
      presence: { namespaces: { room: true } },
    });
    // A feature deciding connects from the connect frame's data, as the connect proxy does.
    hub.use({
      name: "desk",
      install: (host) =>
        host.authenticate(async ({ data }) => {
          const { user } = data as { user: string };
          return { userId: user, info: { name: user.toUpperCase() } };
        }),
    });
    const client = new RawClient(url);
    await client.connect({ data: { user: "ada" } });
    const reply = await subscribe(client, "room:7");
    expect(reply.members).toEqual([
      { userId: "ada", info: { name: "ADA" }, clientIds: [expect.any(String)] },
    ]);
  });

  it("throws presence_disabled from hub.presence on a namespace without it", async () => {
    const { hub } = await startHub({ ...OPEN_POLICY, presence: { namespaces: { room: true } } });
    expect(() => hub.presence("chat:1")).toThrow(
      expect.objectContaining({ code: "presence_disabled" }),
    );
    expect(() => hub.presence("$client:x")).toThrow(
      expect.objectContaining({ code: "presence_disabled" }),
    );
    expect(() => hub.presence("no good")).toThrow(
      expect.objectContaining({ code: "invalid_channel" }),
    );
    await expect(hub.presence("room:1").list({ limit: 0 })).rejects.toMatchObject({
      code: "invalid_data",
    });
    expect(await hub.presence("room:1").count()).toEqual({ members: 0, connections: 0 });
  });

  it("describes its routes in the HTTP API's OpenAPI document", async () => {
    const { hub } = await startHub({ ...OPEN_POLICY, presence: { namespaces: { room: true } } });
    const api = createHttpApi(hub, { apiKey: "key" });
    const document = (await (await api.request("/api/openapi.json")).json()) as {
      paths: Record<string, { get?: { operationId?: string } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.paths["/api/presence/{channel}"]?.get?.operationId).toBe("presenceList");
    expect(document.paths["/api/presence/{channel}/count"]?.get?.operationId).toBe("presenceCount");
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["PresenceCount", "PresenceMember", "PresencePage"]),
    );
  });
});
