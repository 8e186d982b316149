/**
 * Redis restarts (killed, and back empty: no persistence) while events flow through a cluster:
 * no node crashes, publishing resumes, and every client sees each channel either continuously
 * or with a reported reset — never a silent gap.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildBin, type HubProcess, publishSequences, Signal, startCluster } from "./fixtures.js";
import { allReceived, sequenceProblems, watch } from "./watchers.js";

beforeAll(buildBin, 120_000);

describe("a Redis restart under a cluster", () => {
  it("crashes nothing, and every client gets every event or a reset, never a silent gap", async () => {
    const { redis, nodes } = await startCluster("restart");

    const channels = Array.from({ length: 6 }, (_, i) => `seq:${i}`);
    const perChannel = 1_500;
    const signal = new Signal();
    const watchers = Array.from({ length: 9 }, (_, i) =>
      watch(
        (nodes[i % 3] as HubProcess).wsUrl,
        [channels[i % 6] as string, channels[(i + 3) % 6] as string],
        signal,
      ),
    );
    await signal.until(
      () => watchers.every((w) => w.subscribed()),
      () => "every subscription",
    );

    let restarted: Promise<void> | undefined;
    const total = channels.length * perChannel;
    const retries = await publishSequences({
      channels,
      perChannel,
      batch: 50,
      nodes: () => nodes,
      progress: (published) => {
        if (restarted === undefined && published >= total * 0.4) restarted = redis.restart();
      },
    });
    await restarted;
    // Publishes failed while Redis was away and were retried until it was back.
    expect(retries).toBeGreaterThan(0);

    await signal.until(
      () => allReceived(watchers, perChannel),
      () => `every last event; last: ${watchers.map((w) => w.channels.map((c) => w.last(c)))}`,
      40_000,
    );
    expect(sequenceProblems(watchers, perChannel, { allowResets: true })).toEqual([]);
    // Redis lost the history: the clients were told (recovered: false), not left with a gap.
    const resets = watchers.flatMap((w) => w.resets());
    expect(resets.length).toBeGreaterThan(0);
    expect(new Set(resets.map((reset) => reset.reason))).toEqual(new Set(["not_recovered"]));
    for (const node of nodes) {
      expect(node.alive).toBe(true);
      expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    }
  }, 60_000);
});
