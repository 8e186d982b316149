/**
 * A hub node killed with SIGKILL mid-stream: its clients reconnect through the load balancer
 * to the other nodes and recover from the history in Redis, with nothing lost, nothing twice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  Balancer,
  buildBin,
  type HubProcess,
  publishSequences,
  Signal,
  startCluster,
} from "./fixtures.js";
import { allReceived, sequenceProblems, watch } from "./watchers.js";

beforeAll(buildBin, 120_000);

describe("a hub node killed with SIGKILL", () => {
  it("loses its clients to the other nodes, which recover every event exactly once, in order", async () => {
    const { nodes } = await startCluster("failover");
    const balancer = await Balancer.start(nodes.map((node) => node.port));
    const victim = nodes[2] as HubProcess;

    const channels = Array.from({ length: 6 }, (_, i) => `seq:${i}`);
    const perChannel = 2_000;
    const signal = new Signal();
    // Through the balancer, round robin: three clients per node.
    const watchers = Array.from({ length: 9 }, (_, i) =>
      watch(balancer.wsUrl, [channels[i % 6] as string, channels[(i + 2) % 6] as string], signal),
    );
    await signal.until(
      () => watchers.every((w) => w.subscribed()),
      () => "every subscription",
    );
    expect((await victim.stats()).connections).toBe(3);

    let killed = false;
    const total = channels.length * perChannel;
    const retries = await publishSequences({
      channels,
      perChannel,
      batch: 50,
      nodes: () => nodes,
      progress: (published) => {
        if (!killed && published >= total * 0.3) {
          killed = true;
          victim.child.kill("SIGKILL");
        }
      },
    });
    expect(killed).toBe(true);
    expect(await victim.exited).toBe(null);
    // Batches sent to the dead node went to another node, with the same idempotency keys.
    expect(retries).toBeGreaterThan(0);

    await signal.until(
      () => allReceived(watchers, perChannel),
      () => `every event; last: ${watchers.map((w) => w.channels.map((c) => w.last(c))).join(" ")}`,
      40_000,
    );
    expect(sequenceProblems(watchers, perChannel, { allowResets: false })).toEqual([]);
    // The victim's three clients reconnected (to the survivors); the others never had to.
    expect(watchers.filter((w) => w.connects() > 1).length).toBeGreaterThanOrEqual(3);
    const survivors = await Promise.all(nodes.slice(0, 2).map((node) => node.stats()));
    expect(survivors.reduce((sum, stats) => sum + stats.connections, 0)).toBe(9);
  }, 60_000);
});
