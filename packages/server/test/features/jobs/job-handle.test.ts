import { afterEach, describe, expect, it, vi } from "vitest";
import { JobFailure } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { codeOf, JOB_HUB, watch } from "./helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("a job handle", () => {
  it("publishes started, progress, chunks and completed in order, and the snapshot follows", async () => {
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "j1");
    const job = await hub.jobs.create({
      id: "j1",
      owner: { userId: "ada", sessionId: "tab-1" },
      meta: { algorithm: "blur" },
    });
    expect(job.channel).toBe("job:j1");
    await job.progress(10, { step: "load" });
    await job.chunk({ rows: [1, 2] }, { index: 0, total: 2 });
    await job.chunk({ rows: [3, 4] }, { index: 1, total: 2 });
    expect(await job.complete({ objects: 3 })).toMatchObject({ status: "completed" });
    await seen.untilEvent("completed");
    expect(seen.names()).toEqual(["started", "progress", "chunk", "chunk", "completed"]);
    expect(seen.events.map((e) => (e.data as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.events[1]?.data).toMatchObject({ seq: 2, percent: 10, step: "load" });
    expect(seen.events[2]?.data).toEqual({ seq: 3, index: 0, total: 2, data: { rows: [1, 2] } });
    expect(seen.events[4]?.data).toEqual({ seq: 5, result: { objects: 3 } });

    const info = await hub.jobs.get("j1");
    expect(info).toMatchObject({
      id: "j1",
      status: "completed",
      percent: 100,
      step: "load",
      meta: { algorithm: "blur" },
      owner: { userId: "ada", sessionId: "tab-1" },
      result: { objects: 3 },
      error: null,
      seq: 5,
      chunks: {
        count: 2,
        total: 2,
        truncated: false,
        items: [
          { index: 0, data: { rows: [1, 2] } },
          { index: 1, data: { rows: [3, 4] } },
        ],
      },
    });
    expect(info.finishedAt).toBeGreaterThanOrEqual(info.startedAt ?? Number.POSITIVE_INFINITY);
    await expect(job.done).resolves.toMatchObject({ status: "completed", seq: 5 });
  });

  it("estimates the ETA from the rate of progress when the producer gives none", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_700_000_000_000 });
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "eta");
    const job = await hub.jobs.create({ id: "eta" });
    vi.setSystemTime(1_700_000_010_000);
    await job.progress(10);
    // 10 % in 10 s: 1 % per second, 90 % left.
    expect(seen.events.at(-1)?.data).toMatchObject({ percent: 10, eta: 90 });
    vi.setSystemTime(1_700_000_020_000);
    await job.progress(30, { eta: 5 });
    await job.complete();
    expect(seen.events.filter((e) => e.event === "progress").map((e) => e.data)).toEqual([
      { seq: 2, percent: 10, step: null, eta: 90 },
      { seq: 3, percent: 30, step: null, eta: 5 },
    ]);
  });

  it("publishes validation_required and keeps it in the snapshot while the job goes on", async () => {
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "v");
    const job = await hub.jobs.create({ id: "v" });
    await job.requireValidation({
      reason: "Confidence score below threshold (0.7)",
      confidence: 0.65,
      suggestedActions: ["Review segmentation boundaries"],
    });
    const validation = {
      reason: "Confidence score below threshold (0.7)",
      confidence: 0.65,
      suggestedActions: ["Review segmentation boundaries"],
    };
    expect(seen.events.at(-1)).toMatchObject({
      event: "validation_required",
      data: { seq: 2, ...validation },
    });
    expect(await hub.jobs.get("v")).toMatchObject({ status: "running", validation });
    await job.progress(50);
    expect(job.status).toBe("running");
  });

  it("fails with the message, code and retryable flag given", async () => {
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "f");
    const job = await hub.jobs.create({ id: "f" });
    await job.fail(new Error("GPU memory insufficient"), {
      code: "CUDA_OUT_OF_MEMORY",
      retryable: true,
    });
    const error = {
      message: "GPU memory insufficient",
      code: "CUDA_OUT_OF_MEMORY",
      retryable: true,
    };
    expect(seen.events.at(-1)).toMatchObject({ event: "failed", data: { seq: 2, error } });
    expect(await hub.jobs.get("f")).toMatchObject({ status: "failed", error });
  });

  it("creates a queued job that starts with its first report", async () => {
    const { hub } = await startHub(JOB_HUB);
    const seen = await watch(hub, "q");
    const job = await hub.jobs.create({ id: "q", queued: true });
    expect(await hub.jobs.get("q")).toMatchObject({ status: "queued", startedAt: null, seq: 0 });
    await job.progress(5);
    await seen.untilEvent("progress");
    expect(seen.names()).toEqual(["started", "progress"]);
    expect(job.status).toBe("running");
    expect(await job.start()).toMatchObject({ status: "running", percent: 5 });
    expect(seen.names()).toEqual(["started", "progress"]);
  });

  it("keeps chunks for the snapshot up to maxSnapshotChunkBytes, then says truncated", async () => {
    const { hub } = await startHub({ ...JOB_HUB, jobs: { maxSnapshotChunkBytes: 100 } });
    const seen = await watch(hub, "t");
    const job = await hub.jobs.create({ id: "t" });
    for (let index = 0; index < 4; index++) await job.chunk("x".repeat(40), { index });
    await seen.until((events) => events.filter((e) => e.event === "chunk").length === 4);
    const { chunks } = await hub.jobs.get("t");
    expect(chunks.count).toBe(4);
    expect(chunks.truncated).toBe(true);
    expect(chunks.items?.map((chunk) => chunk.index)).toEqual([0, 1]);
  });
});

describe("hub.jobs.run", () => {
  it("completes the job with the function's return value", async () => {
    const { hub } = await startHub(JOB_HUB);
    const job = await hub.jobs.run(
      async (handle) => {
        await handle.progress(50, { step: "sieve" });
        return { primes: 25 };
      },
      { owner: { userId: "ada" } },
    );
    await expect(job.done).resolves.toMatchObject({
      status: "completed",
      result: { primes: 25 },
      step: "sieve",
    });
  });

  it("fails with a JobFailure's message and code, and hides other errors' messages", async () => {
    const { hub } = await startHub(JOB_HUB);
    const known = await hub.jobs.run(() => {
      throw new JobFailure("GPU memory insufficient", {
        code: "CUDA_OUT_OF_MEMORY",
        retryable: true,
      });
    });
    await expect(known.done).resolves.toMatchObject({
      status: "failed",
      error: { message: "GPU memory insufficient", code: "CUDA_OUT_OF_MEMORY", retryable: true },
    });
    const unexpected = await hub.jobs.run(async () => {
      throw new Error("database password is hunter2");
    });
    const info = await unexpected.done;
    expect(info.error).toEqual({
      message: "The job failed unexpectedly",
      code: "internal_error",
      retryable: false,
    });
  });

  it("leaves a job the function ended itself as it is", async () => {
    const { hub } = await startHub(JOB_HUB);
    const job = await hub.jobs.run(async (handle) => {
      await handle.fail("no input", { code: "EMPTY" });
      return "ignored";
    });
    await expect(job.done).resolves.toMatchObject({ status: "failed", result: null });
    expect(await codeOf(job.complete("again"))).toBe("job_finished");
  });
});
