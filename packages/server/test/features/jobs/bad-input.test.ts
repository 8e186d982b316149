import { describe, expect, it } from "vitest";
import type { Hub, JobHandle } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { codeOf, JOB_HUB, watch } from "./helpers.js";

async function running(id = "bad"): Promise<{ hub: Hub; job: JobHandle }> {
  const { hub } = await startHub(JOB_HUB);
  const job = await hub.jobs.create({ id, owner: { userId: "ada" } });
  return { hub, job };
}

const anyNumber = (value: unknown) => value as number;

describe("bad progress", () => {
  it("refuses percent outside 0–100 or not a finite number with invalid_progress", async () => {
    const { hub, job } = await running();
    for (const percent of [101, -1, Number.NaN, Number.POSITIVE_INFINITY, "50", null]) {
      expect(await codeOf(job.progress(anyNumber(percent))), String(percent)).toBe(
        "invalid_progress",
      );
    }
    expect(await codeOf(job.progress(10, { eta: -1 }))).toBe("invalid_progress");
    expect(await codeOf(job.progress(10, { step: "s".repeat(201) }))).toBe("invalid_progress");
    expect(await hub.jobs.get("bad")).toMatchObject({ percent: 0, step: null, seq: 1 });
  });

  it("refuses progress going backwards with invalid_progress; equal is fine", async () => {
    const { hub, job } = await running();
    await job.progress(50, { step: "mesh" });
    const error = await job.progress(40).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "invalid_progress",
      details: { field: "percent", percent: 40, current: 50 },
    });
    await expect(job.progress(50, { step: "solve" })).resolves.toMatchObject({ percent: 50 });
    expect(job.status).toBe("running");
    expect((await hub.jobs.get("bad")).percent).toBe(50);
  });
});

describe("bad chunks", () => {
  it("refuses an index out of range, a changed total and a bad total with invalid_chunk", async () => {
    const { hub, job } = await running();
    const seen = await watch(hub, "bad");
    await job.chunk("a", { index: 0, total: 3 });
    const cases: [number, number | undefined, string][] = [
      [-1, 3, "out_of_range"],
      [1.5, 3, "out_of_range"],
      [3, 3, "out_of_range"],
      [1, 4, "total_changed"],
      [1, 0, "out_of_range"],
    ];
    for (const [index, total, reason] of cases) {
      const error = await job.chunk("x", { index, total }).catch((e: unknown) => e);
      expect(error, `${index}/${total}`).toMatchObject({
        code: "invalid_chunk",
        details: { reason },
      });
    }
    await job.chunk("b", { index: 1 });
    expect((await hub.jobs.get("bad")).chunks).toMatchObject({ count: 2, total: 3 });
    const published = seen.events.filter((e) => e.event === "chunk");
    expect(published.map((e) => (e.data as { index: number }).index)).toEqual([0, 1]);
  });

  it("refuses a total smaller than an index already received, and too many chunks", async () => {
    const { job } = await running();
    await job.chunk("a", { index: 5 });
    expect(await codeOf(job.chunk("b", { index: 0, total: 3 }))).toBe("invalid_chunk");
    const tooMany = await job.chunk("c", { index: 100_000 }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: "invalid_chunk", details: { reason: "too_many" } });
  });

  it("refuses a repeated index with duplicate_chunk, and a huge chunk with message_too_large", async () => {
    const { hub, job } = await running();
    await job.chunk("first", { index: 0 });
    expect(await codeOf(job.chunk("again", { index: 0 }))).toBe("duplicate_chunk");
    expect(await codeOf(job.chunk("x".repeat(300 * 1024), { index: 1 }))).toBe("message_too_large");
    const { chunks } = await hub.jobs.get("bad");
    expect(chunks).toMatchObject({ count: 1, items: [{ index: 0, data: "first" }] });
  });
});

describe("finished jobs", () => {
  it("refuses a second complete and any report after the end with job_finished", async () => {
    const { hub, job } = await running();
    await job.complete({ ok: 1 });
    expect(await codeOf(job.complete({ ok: 2 }))).toBe("job_finished");
    expect(await codeOf(job.progress(100))).toBe("job_finished");
    expect(await codeOf(job.chunk("late", { index: 0 }))).toBe("job_finished");
    expect(await codeOf(job.fail("late"))).toBe("job_finished");
    expect(await codeOf(job.requireValidation({ reason: "late" }))).toBe("job_finished");
    expect(await codeOf(job.confirmCancel())).toBe("job_finished");
    expect(await codeOf(job.start())).toBe("job_finished");
    expect(await codeOf(hub.jobs.cancel("bad"))).toBe("job_finished");
    expect(await codeOf(hub.jobs.attach("bad"))).toBe("job_finished");
    expect(await hub.jobs.get("bad")).toMatchObject({ status: "completed", result: { ok: 1 } });
  });
});

describe("unknown and taken ids", () => {
  it("answers job_not_found for ids no job has", async () => {
    const { hub } = await startHub(JOB_HUB);
    expect(await codeOf(hub.jobs.get("nope"))).toBe("job_not_found");
    expect(await codeOf(hub.jobs.attach("nope"))).toBe("job_not_found");
    expect(await codeOf(hub.jobs.cancel("nope"))).toBe("job_not_found");
  });

  it("refuses a second job with the same id with job_exists", async () => {
    const { hub } = await running("taken");
    expect(await codeOf(hub.jobs.create({ id: "taken" }))).toBe("job_exists");
  });
});

describe("bad job options and validation requests", () => {
  it("refuses them with invalid_data naming the field", async () => {
    const { hub, job } = await running();
    const field = async (promise: Promise<unknown>) => {
      const error = (await promise.catch((e: unknown) => e)) as {
        code: string;
        details: { field: string };
      };
      return `${error.code}:${error.details.field}`;
    };
    expect(await field(hub.jobs.create({ id: "bad id" }))).toBe("invalid_data:id");
    expect(await field(hub.jobs.create({ owner: { userId: "a b" } }))).toBe(
      "invalid_data:owner.userId",
    );
    expect(await field(hub.jobs.create({ meta: { run: () => 1 } }))).toBe("invalid_data:meta");
    expect(await field(hub.jobs.create({ visibility: "public" as unknown as "anyone" }))).toBe(
      "invalid_data:visibility",
    );
    expect(await field(job.requireValidation({ reason: "" }))).toBe("invalid_data:reason");
    expect(await field(job.requireValidation({ reason: "low", confidence: 2 }))).toBe(
      "invalid_data:confidence",
    );
    expect(
      await field(
        job.requireValidation({ reason: "low", suggestedActions: "review" as unknown as string[] }),
      ),
    ).toBe("invalid_data:suggestedActions");
    expect(await field(hub.jobs.list({ userId: "a b" }))).toBe("invalid_data:userId");
  });
});
