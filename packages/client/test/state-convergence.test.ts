/**
 * State convergence on one hub (memory broker): 10 clients, 600 random writes in concurrent
 * waves; every store ends with the hub's document and version, and every refused write was
 * reported to its writer. The three-node Redis variant is packages/redis/test.
 */
import { describe, expect, it } from "vitest";
import { HubServer, useIntegration } from "./hub-fixture.js";
import { convergenceProblems, runWorkload } from "./state-workload.js";

const { disposers } = useIntegration();

describe("synced state on one hub", () => {
  it("converges: 10 clients, 600 random writes (batches, deletes, stale ifVersions, undos)", async () => {
    const fixture = await HubServer.start({
      allowAnonymous: true,
      state: { documents: { board: { read: "anyone", write: { "": "anyone" } } } },
    });
    disposers.push(() => fixture.stop());
    const { writers, document, figures } = await runWorkload({
      urls: [fixture.url],
      clients: 10,
      writes: 600,
      wave: 60,
      seed: 12,
      name: "board",
      serverDocument: () => fixture.hub.state("board").get(),
      cleanup: (dispose) => disposers.push(dispose),
      watchWrites: (record) => {
        fixture.hub.state("board").on("change", ({ version, changes }) => record(version, changes));
      },
    });
    console.log("state convergence, one hub:", JSON.stringify(figures));
    expect(convergenceProblems(writers, document, 600)).toEqual([]);
    // The workload exercised what it claims: conflicts, undos, deletes.
    expect(figures.refusedByCode).toEqual({ state_conflict: figures.refused });
    expect(figures.refused).toBeGreaterThan(10);
    // Compare-and-sets on the store's own version never pass a write it has not seen.
    expect(figures.compareAndSets).toBeGreaterThan(50);
    expect(figures.overUnseen).toBe(0);
    expect(figures.overUnseenAccepted).toBe(0);
    expect(figures.undos).toBeGreaterThan(10);
    expect(figures.finalVersion).toBeGreaterThan(400);
  }, 30_000);
});
