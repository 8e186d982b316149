/**
 * Presence on a real cluster: the presence contract on three `switchyard serve --redis`
 * processes sharing one redis-server, and a node killed with SIGKILL whose members leave
 * within the bound the options give (ttl + reapInterval).
 */
import type { PresenceEventData } from "@switchyard/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../redis/test/helpers/redis-process.js";
import {
  type PresenceCluster,
  presenceSuite,
  SUITE_HUB,
} from "../../../server/test/features/presence/contract.js";
import { connected } from "../../../server/test/helpers/fixtures.js";
import { signToken } from "../../../server/test/helpers/tokens.js";
import { onCleanup } from "../helpers.js";
import { API_KEY, buildBin, HubProcess, writeConfig } from "./fixtures.js";

beforeAll(buildBin, 120_000);

/** Short timings, so that a dead node's members leave within ttl + reapInterval = 2.5 s. */
const TIMINGS = { ttl: 2_000, refreshInterval: 500, reapInterval: 500 };

async function startNodes(): Promise<{ cluster: PresenceCluster; nodes: HubProcess[] }> {
  const redis = await RedisProcess.start();
  onCleanup(() => redis.stop());
  const config = await writeConfig({
    ...SUITE_HUB,
    presence: { ...SUITE_HUB.presence, ...TIMINGS },
    apiKey: API_KEY,
    redis: { url: redis.url, prefix: `presence-${Date.now().toString(36)}` },
    shutdownTimeout: 500,
  });
  const nodes = await Promise.all([0, 1, 2].map(() => HubProcess.start(redis.url, config)));
  const cluster: PresenceCluster = {
    urls: nodes.map((node) => node.wsUrl),
    async get(path, index) {
      const response = await fetch(`${(nodes[index] as HubProcess).url}${path}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      return { status: response.status, json: await response.json() };
    },
    async lost() {
      let sum = 0;
      for (const node of nodes) {
        const stats = (await node.stats()) as { features?: { presence?: { lost?: number } } };
        sum += stats.features?.presence?.lost ?? 0;
      }
      return sum;
    },
  };
  return { cluster, nodes };
}

presenceSuite("Redis, three switchyard processes", async () => (await startNodes()).cluster);

describe("a node killed with SIGKILL", () => {
  it("loses its members within ttl + reapInterval, each reported once, no zombie left", async () => {
    const { cluster, nodes } = await startNodes();
    const [survivor, , victim] = nodes as [HubProcess, HubProcess, HubProcess];
    const channel = `room:kill-${Date.now().toString(36)}`;
    const watcher = await connected(survivor.wsUrl, { token: await signToken("watcher") });
    await watcher.request({ type: "subscribe", channel });
    const doomed = [];
    for (let i = 0; i < 3; i++) {
      const client = await connected(victim.wsUrl, { token: await signToken(`doomed-${i}`) });
      await client.request({ type: "subscribe", channel });
      doomed.push(client);
    }
    await watcher.next(
      (f) => f.event === "$presence" && (f.data as PresenceEventData).count.connections === 4,
    );

    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    await victim.exited;
    const leaves: string[] = [];
    const last = await watcher.next((f) => {
      if (f.event !== "$presence") return false;
      const data = f.data as PresenceEventData;
      leaves.push(...(data.left ?? []).map((c) => c.clientId));
      return data.count.connections === 1;
    });
    const elapsed = Date.now() - killedAt;
    // The bound docs/presence.md states: ttl + reapInterval + the batch window (2.6 s here),
    // with room for a loaded machine's late timers. Not a speed figure: without the reaper
    // (or with a zombie) the leaves would never come, and the test would time out.
    const bound = TIMINGS.ttl + TIMINGS.reapInterval + 100;
    expect(elapsed).toBeLessThan(bound + 2_000);
    expect((last.data as PresenceEventData).count).toEqual({ members: 1, connections: 1 });
    expect(leaves.sort()).toHaveLength(3);
    expect(new Set(leaves).size).toBe(3);
    const count = await cluster.get(`/api/presence/${encodeURIComponent(channel)}/count`, 1);
    expect(count.json).toEqual({ members: 1, connections: 1 });
  });
});

describe("a node shut down (a deploy)", () => {
  it("lets its clients take their places back on other nodes within the grace, silently", async () => {
    const { nodes } = await startNodes();
    const [leaving, other, watching] = nodes as [HubProcess, HubProcess, HubProcess];
    const channel = `room:deploy-${Date.now().toString(36)}`;
    const watcher = await connected(watching.wsUrl, { token: await signToken("watcher") });
    await watcher.request({ type: "subscribe", channel });
    const before = await connected(leaving.wsUrl, { token: await signToken("ivy") });
    await before.request({ type: "subscribe", channel });
    const connect = before.frames.find((f) => f.type === "reply")?.result as {
      sessionId: string;
      clientId: string;
    };
    await watcher.next(
      (f) =>
        f.event === "$presence" &&
        ((f.data as PresenceEventData).joined ?? []).some((c) => c.clientId === connect.clientId),
    );

    leaving.child.kill("SIGTERM");
    // Once the process exited, its shutdown has written what the other nodes need.
    await leaving.exited;
    const after = await connected(other.wsUrl, {
      token: await signToken("ivy"),
      sessionId: connect.sessionId,
    });
    const reply = await after.request({ type: "subscribe", channel });
    expect((reply.result as { presence: { count: unknown } }).presence.count).toEqual({
      members: 2,
      connections: 2,
    });
    const marker = await connected(watching.wsUrl, { token: await signToken("marker") });
    await marker.request({ type: "subscribe", channel });
    const connectReply = marker.frames.find((f) => f.type === "reply");
    const markerId = (connectReply?.result as { clientId: string } | undefined)?.clientId;
    await watcher.next(
      (f) =>
        f.event === "$presence" &&
        ((f.data as PresenceEventData).joined ?? []).some((c) => c.clientId === markerId),
    );
    const ivy = watcher
      .events(channel)
      .flatMap((f) => {
        const data = f.data as PresenceEventData;
        return [...(data.joined ?? []), ...(data.left ?? [])];
      })
      .filter((c) => c.userId === "ivy");
    expect(ivy.map((c) => c.clientId)).toEqual([connect.clientId]);
  });
});
