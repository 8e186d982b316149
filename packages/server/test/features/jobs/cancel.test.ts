import { describe, expect, it } from "vitest";
import type { JobHandle } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { client, codeOf, JOB_HUB, twoNodes, watch } from "./helpers.js";

/** A run function that works until its signal aborts, then throws the abort reason. */
function untilAborted(handle: JobHandle): Promise<never> {
  return new Promise((_, reject) => {
    handle.signal.addEventListener("abort", () => reject(handle.signal.reason), { once: true });
  });
}

describe("cancelling a job", () => {
  it("aborts the producer's signal when the owner calls job.cancel, and ends it cancelled", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const job = await hub.jobs.run(untilAborted, { id: "c1", owner: { userId: "ada" } });
    const ada = await client(url, "ada");
    await ada.request({ type: "subscribe", channel: "job:c1" });
    const reply = await ada.request({
      type: "rpc",
      method: "job.cancel",
      data: { id: "c1", reason: "changed my mind" },
    });
    // The function stops at once, so the job may already be cancelled when the reply is made.
    expect(reply.result).toMatchObject({ id: "c1", cancelRequested: true });
    expect(["cancelling", "cancelled"]).toContain((reply.result as { status: string }).status);
    expect(job.signal.aborted).toBe(true);
    expect((job.signal.reason as Error).name).toBe("AbortError");
    await ada.next((f) => f.type === "event" && f.event === "cancelled");
    expect(ada.events("job:c1").map((f) => [f.event, f.data])).toEqual([
      ["cancel_requested", { reason: "changed my mind" }],
      ["cancelled", { seq: 2, reason: "changed my mind" }],
    ]);
    await expect(job.done).resolves.toMatchObject({ status: "cancelled", cancelRequested: true });
    expect(await hub.jobs.get("c1")).toMatchObject({ status: "cancelled" });
  });

  it("tells a producer that reports about the cancel request in every answer", async () => {
    const { hub } = await startHub(JOB_HUB);
    const job = await hub.jobs.create({ id: "ack" });
    expect(await job.progress(10)).toEqual({
      id: "ack",
      status: "running",
      cancelRequested: false,
      percent: 10,
    });
    await hub.jobs.cancel("ack");
    expect(await job.progress(20)).toMatchObject({ status: "cancelling", cancelRequested: true });
    expect(await job.confirmCancel()).toMatchObject({ status: "cancelled" });
  });

  it("lets only the owner cancel; finished and unknown jobs say so", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    await hub.jobs.create({ id: "mine", owner: { userId: "ada" }, visibility: "anyone" });
    const bob = await client(url, "bob");
    const refused = await bob.request({ type: "rpc", method: "job.cancel", data: { id: "mine" } });
    expect(refused.error).toMatchObject({ code: "forbidden" });
    expect(await codeOf(hub.jobs.cancel("mine", { by: { userId: "bob", sessionId: "s" } }))).toBe(
      "forbidden",
    );
    const done = await hub.jobs.create({ id: "done", owner: { userId: "ada" } });
    await done.complete();
    const ada = await client(url, "ada");
    const finished = await ada.request({ type: "rpc", method: "job.cancel", data: { id: "done" } });
    expect(finished.error).toMatchObject({ code: "job_finished" });
    const unknown = await ada.request({ type: "rpc", method: "job.cancel", data: { id: "nope" } });
    expect(unknown.error).toMatchObject({ code: "job_not_found" });
    expect(await hub.jobs.get("mine")).toMatchObject({ status: "running", cancelRequested: false });
  });

  it("cancels a queued job at once", async () => {
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "q");
    const job = await hub.jobs.create({ id: "q", queued: true });
    expect(await hub.jobs.cancel("q", { reason: "not needed" })).toMatchObject({
      status: "cancelled",
    });
    expect(seen.names()).toEqual(["cancelled"]);
    expect(await codeOf(job.start())).toBe("job_finished");
  });

  it("marks a producer that ignores the request cancelled after cancelGrace", async () => {
    const { hub } = await startHub({ ...JOB_HUB, jobs: { cancelGrace: 50 } });
    const seen = await watch(hub, "deaf");
    const job = await hub.jobs.create({ id: "deaf" });
    await hub.jobs.cancel("deaf");
    await seen.untilEvent("cancelled");
    expect(seen.names()).toEqual(["started", "cancel_requested", "cancelled"]);
    expect(job.status).toBe("cancelled");
    expect(await codeOf(job.progress(50))).toBe("job_finished");
  });
});

describe("cancelling across nodes", () => {
  it("reaches the producer on another node through the job's channel", async () => {
    const { a, b } = await twoNodes();
    const job = await a.hub.jobs.run(untilAborted, { id: "x", owner: { userId: "ada" } });
    const onB = await client(b.url, "ada");
    const subscribed = await onB.request({ type: "subscribe", channel: "job:x" });
    expect(subscribed.result).toMatchObject({ snapshot: { id: "x", status: "running" } });
    const reply = await onB.request({ type: "rpc", method: "job.cancel", data: { id: "x" } });
    expect(reply.result).toMatchObject({ status: "cancelling" });
    await expect(job.done).resolves.toMatchObject({ status: "cancelled" });
    await onB.next((f) => f.type === "event" && f.event === "cancelled");
    expect(await b.hub.jobs.get("x")).toMatchObject({ status: "cancelled" });
  });

  it("lets a worker report through any node and tells it about a cancel made elsewhere", async () => {
    const { a, b } = await twoNodes();
    const created = await a.hub.jobs.create({ id: "w", owner: { userId: "ada" } });
    const worker = await b.hub.jobs.attach("w");
    expect(await worker.progress(25, { step: "sieve" })).toMatchObject({ cancelRequested: false });
    await a.hub.jobs.cancel("w", { reason: "stop" });
    await new Promise<void>((resolve) => {
      if (worker.cancelRequested) resolve();
      else worker.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    expect(await worker.progress(30)).toMatchObject({
      cancelRequested: true,
      status: "cancelling",
    });
    await worker.confirmCancel();
    await expect(created.done).resolves.toMatchObject({ status: "cancelled", percent: 30 });
  });
});
