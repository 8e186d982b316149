/**
 * The jobs feature announces how each job ended through the feature seam
 * (`hub.on("feature", …)`, feature `jobs`): once, on the node that ended it.
 */
import { describe, expect, it } from "vitest";
import type { FeatureEvent, Hub, JobEnded } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { JOB_HUB, twoNodes } from "./helpers.js";

/** Every `jobs` announcement of `hub`, as `[name, payload]`. */
function endings(hub: Hub): [string, JobEnded][] {
  const heard: [string, JobEnded][] = [];
  hub.on("feature", (event: FeatureEvent) => {
    if (event.feature === "jobs") heard.push([event.name, event.payload as JobEnded]);
  });
  return heard;
}

describe("job endings on the feature seam", () => {
  it("announces completed, failed and cancelled with the job and the cancel reason", async () => {
    const { hub } = await startHub(JOB_HUB);
    const heard = endings(hub);
    const done = await hub.jobs.create({ id: "ok", meta: { file: "a.tif" } });
    await done.progress(50);
    await done.complete({ cells: 3 });
    const failing = await hub.jobs.create({ id: "bad" });
    await failing.fail("out of memory", { code: "OOM" });
    const stopped = await hub.jobs.create({ id: "stop" });
    await hub.jobs.cancel("stop", { reason: "enough" });
    await stopped.confirmCancel();
    expect(heard.map(([name, { job }]) => [name, job.id, job.status])).toEqual([
      ["completed", "ok", "completed"],
      ["failed", "bad", "failed"],
      ["cancelled", "stop", "cancelled"],
    ]);
    expect(heard[0]?.[1].job).toMatchObject({ meta: { file: "a.tif" }, result: { cells: 3 } });
    expect(heard[1]?.[1].job.error).toEqual({
      message: "out of memory",
      code: "OOM",
      retryable: false,
    });
    expect(heard[2]?.[1].cancelReason).toBe("enough");
  });

  it("announces a job the hub cancels for a producer on another node once, where it ended", async () => {
    const { a, b } = await twoNodes();
    const heardA = endings(a.hub);
    const heardB = endings(b.hub);
    // Created on b, cancelled from a: b's producer ends it, so b announces it.
    const job = await b.hub.jobs.create({ id: "far" });
    const aborted = new Promise((resolve) =>
      job.signal.addEventListener("abort", resolve, { once: true }),
    );
    await a.hub.jobs.cancel("far", { reason: "from a" });
    await aborted;
    await job.confirmCancel();
    expect(heardA).toEqual([]);
    expect(heardB.map(([name, ended]) => [name, ended.job.id, ended.cancelReason])).toEqual([
      ["cancelled", "far", "from a"],
    ]);
  });

  it("announces a queued job cancelled from another node on the node that cancelled it", async () => {
    const { a, b } = await twoNodes();
    const heardA = endings(a.hub);
    const heardB = endings(b.hub);
    const queued = await b.hub.jobs.create({ id: "q", queued: true });
    await a.hub.jobs.cancel("q", { reason: "never mind" });
    expect(heardA.map(([name, ended]) => [name, ended.job.id, ended.cancelReason])).toEqual([
      ["cancelled", "q", "never mind"],
    ]);
    expect(heardB).toEqual([]);
    await expect(queued.done).resolves.toMatchObject({ status: "cancelled" });
  });
});
