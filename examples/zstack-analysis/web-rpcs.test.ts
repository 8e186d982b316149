import { type Client, createClient, type JobState } from "@switchyard/client";
import { msgpackCodec } from "@switchyard/client/msgpack";
import { afterEach, describe, expect, it } from "vitest";
import { type AnalysisResult, REVIEW_STEP, WORKER_LOST } from "./analysis.js";
import type { AnalysisStartReply } from "./rpcs.js";
import { NOISY_PARAMETERS } from "./schemas.js";
import { startZstackHub, type ZstackHub } from "./server.js";
import { type SliceImage, SPECK } from "./slices.js";

const disposers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

async function start(): Promise<ZstackHub> {
  const hub = await startZstackHub({ port: 0 });
  disposers.push(() => hub.close());
  return hub;
}

function connect(url: string): Client {
  const client = createClient({ url, codec: msgpackCodec });
  disposers.push(() => client.close());
  return client;
}

/** Resolves with the job's state once `test` holds for it. */
function until(client: Client, jobId: string, test: (state: JobState) => boolean) {
  const job = client.job(jobId);
  return new Promise<JobState>((resolve) => {
    const check = () => {
      const state = job.getSnapshot();
      if (test(state)) resolve(state);
    };
    job.subscribe(check);
    check();
  });
}

describe("examples/zstack-analysis: the web app's RPCs", () => {
  it("fails retryably on request (failAt), and analysis.retry runs the same analysis without the failure", async () => {
    const hub = await start();
    const client = connect(hub.url);
    const started = (await client.rpc("analysis.start", {
      failAt: 2,
      seed: 3,
    })) as AnalysisStartReply;
    const failed = await until(client, started.jobId, (state) => state.status === "failed");
    expect(failed.error).toMatchObject({ code: WORKER_LOST, retryable: true });
    expect(failed.error?.message).toContain("Gaussian blur");

    const other = connect(hub.url);
    await expect(other.rpc("analysis.retry", { jobId: started.jobId })).rejects.toMatchObject({
      code: "forbidden",
    });

    const retried = (await client.rpc("analysis.retry", {
      jobId: started.jobId,
    })) as AnalysisStartReply;
    expect(retried.jobId).not.toBe(started.jobId);
    expect(retried.parameters).toEqual({ ...started.parameters, failAt: null });
    const done = await until(client, retried.jobId, (state) => state.status === "completed");
    expect(done.meta).toMatchObject({ retryOf: started.jobId });
    expect((done.result as AnalysisResult).objects.length).toBeGreaterThan(0);
    await expect(client.rpc("analysis.retry", { jobId: retried.jobId })).rejects.toMatchObject({
      code: "invalid_data",
    });
  });

  it("waits for the owner's review with awaitReview, and completes with the decision", async () => {
    const hub = await start();
    const client = connect(hub.url);
    for (const decision of ["accept", "reject"] as const) {
      const { jobId } = (await client.rpc("analysis.start", {
        ...NOISY_PARAMETERS,
        awaitReview: true,
      })) as AnalysisStartReply;
      const waiting = await until(client, jobId, (state) => state.step === REVIEW_STEP);
      expect(waiting.status).toBe("running");
      expect(waiting.percent).toBe(100);
      expect(waiting.validation?.confidence).toBeLessThan(0.7);
      await expect(
        connect(hub.url).rpc("analysis.review", { jobId, decision }),
      ).rejects.toMatchObject({ code: "forbidden" });
      await expect(client.rpc("analysis.review", { jobId, decision })).resolves.toEqual({
        jobId,
        review: decision === "accept" ? "accepted" : "rejected",
      });
      const done = await until(client, jobId, (state) => state.status === "completed");
      expect((done.result as AnalysisResult).review).toBe(
        decision === "accept" ? "accepted" : "rejected",
      );
    }
  });

  it("cancels an analysis that waits for review", async () => {
    const hub = await start();
    const client = connect(hub.url);
    const { jobId } = (await client.rpc("analysis.start", {
      ...NOISY_PARAMETERS,
      awaitReview: true,
    })) as AnalysisStartReply;
    await until(client, jobId, (state) => state.step === REVIEW_STEP);
    await client.rpc("job.cancel", { id: jobId });
    const done = await until(client, jobId, (state) => state.status === "cancelled");
    expect(done.result).toBeNull();
    await expect(
      client.rpc("analysis.review", { jobId, decision: "accept" }),
    ).rejects.toMatchObject({ code: "invalid_data" });
  });

  it("answers a slice of the segmentation as binary, to its owner only", async () => {
    const hub = await start();
    const client = connect(hub.url);
    const { jobId, parameters } = (await client.rpc("analysis.start", {})) as AnalysisStartReply;
    const done = await until(client, jobId, (state) => state.status === "completed");
    const result = done.result as AnalysisResult;
    const slice = (await client.rpc("analysis.slice", { jobId })) as SliceImage;
    const { width, height, depth } = parameters;
    expect(slice).toMatchObject({ jobId, width, height, depth, z: slice.bestZ });
    expect(slice.intensity).toBeInstanceOf(Uint8Array);
    expect(slice.intensity.length).toBe(width * height);
    expect(slice.objects.length).toBe(width * height * 2);
    const ids = new Uint16Array(width * height);
    const view = new DataView(slice.objects.buffer, slice.objects.byteOffset);
    for (let i = 0; i < ids.length; i++) ids[i] = view.getUint16(i * 2, true);
    const inSlice = new Set([...ids].filter((id) => id !== 0 && id !== SPECK));
    expect([...inSlice].sort((a, b) => a - b)).toEqual(slice.objectIds);
    // Every object the slice cuts through spans that z in the metrics.
    for (const id of slice.objectIds) {
      const object = result.objects.find((candidate) => candidate.id === id)!;
      expect(object.bounds.min.z).toBeLessThanOrEqual(slice.z);
      expect(object.bounds.max.z).toBeGreaterThanOrEqual(slice.z);
    }
    // Object pixels are brighter than background pixels in the original image.
    let objectSum = 0;
    let objectCount = 0;
    let backgroundSum = 0;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === 0) backgroundSum += slice.intensity[i]!;
      else if (ids[i] !== SPECK) {
        objectSum += slice.intensity[i]!;
        objectCount++;
      }
    }
    expect(objectCount).toBeGreaterThan(0);
    expect(objectSum / objectCount).toBeGreaterThan(backgroundSum / (ids.length - objectCount));

    const top = (await client.rpc("analysis.slice", { jobId, z: 999 })) as SliceImage;
    expect(top.z).toBe(depth - 1);
    await expect(connect(hub.url).rpc("analysis.slice", { jobId })).rejects.toMatchObject({
      code: "forbidden",
    });
  });

  it("runs the fixed-threshold algorithm at the threshold given", async () => {
    const hub = await start();
    const client = connect(hub.url);
    const { jobId } = (await client.rpc("analysis.start", {
      algorithm: "fixed",
      threshold: 0.4,
    })) as AnalysisStartReply;
    const done = await until(client, jobId, (state) => state.status === "completed");
    expect(done.chunks[2]?.data).toMatchObject({ step: "Fixed threshold", threshold: 0.4 });
    expect(done.result).toMatchObject({ algorithm: "fixed", threshold: 0.4 });
    expect((done.result as AnalysisResult).objects.length).toBeGreaterThan(0);
  });
});
