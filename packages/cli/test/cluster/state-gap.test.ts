/**
 * A node killed (SIGKILL) after its compare-and-set but before it published the batch of that
 * write: the write is in the document in Redis, and no `changes` event will ever carry it. A
 * client store that sees a later write from another node keeps its version below the lost one,
 * and its gap refetch brings the document — with the lost write — within `gapTimeout`.
 */
import { randomUUID } from "node:crypto";
import { createClient, type StateSnapshot } from "@switchyard/client";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../redis/test/helpers/redis-process.js";
import { onCleanup } from "../helpers.js";
import { API_KEY, buildBin, HubProcess, Signal, writeConfig } from "./fixtures.js";

beforeAll(buildBin, 120_000);

/** `PATCH /api/state/board` on `node`: one write through the HTTP API. */
async function write(node: HubProcess, set: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${node.url}/api/state/board`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ set }),
  });
  return response.json();
}

describe("a node killed before publishing its batch", () => {
  it("leaves a gap that the store's refetch closes within gapTimeout", async () => {
    const redis = await RedisProcess.start();
    onCleanup(() => redis.stop());
    const prefix = `state-gap-${randomUUID().slice(0, 8)}`;
    // Node B holds its batch for a minute: killed before, its write's changes never go out.
    const config = (window: number) =>
      writeConfig({
        apiKey: API_KEY,
        allowAnonymous: true,
        redis: { url: redis.url, prefix },
        shutdownTimeout: 500,
        state: {
          documents: {
            board: { read: "anyone", write: { "": "anyone" }, batch: { window, max: 1000 } },
          },
        },
      });
    const [a, b] = await Promise.all([
      config(100).then((path) => HubProcess.start(redis.url, path)),
      config(60_000).then((path) => HubProcess.start(redis.url, path)),
    ]);

    const gapTimeout = 1000;
    const client = createClient({ url: a.wsUrl });
    onCleanup(() => client.close());
    const store = client.state("board", { gapTimeout });
    onCleanup(() => store.dispose());
    const signal = new Signal();
    const seen: StateSnapshot[] = [];
    store.subscribe(() => {
      seen.push(store.getSnapshot());
      signal.poke();
    });
    const until = (check: (snapshot: StateSnapshot) => boolean, what: string) =>
      signal.until(() => check(store.getSnapshot()), what);
    await until((s) => s.status === "ready", "the store ready");

    expect(await write(b, { k: "from B" })).toMatchObject({ version: 1 });
    b.child.kill("SIGKILL");
    await b.exited;
    expect(await write(a, { j: "from A" })).toMatchObject({ version: 2 });
    await until((s) => s.latestVersion === 2, "A's write");
    const opened = Date.now();
    expect(store.getSnapshot().version).toBe(0);
    expect(store.getSnapshot().values).toEqual({ j: "from A" });

    await until((s) => s.version === 2, "the gap refetch");
    const closed = Date.now() - opened;
    console.log(`lost batch repaired after ${closed} ms (gapTimeout ${gapTimeout} ms)`);
    expect(closed).toBeGreaterThanOrEqual(gapTimeout - 50);
    expect(closed).toBeLessThan(gapTimeout + 1000);
    expect(store.getSnapshot().values).toEqual({ k: "from B", j: "from A" });
    // At no moment did the version pass the lost write.
    for (const snapshot of seen) {
      if (snapshot.version >= 1) expect(snapshot.entries.k?.version).toBe(1);
    }
  }, 60_000);
});
