import { closeCodeOf } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { startHub } from "../../helpers/fixtures.js";
import { nextTurn, until } from "../../helpers/streams.js";
import { client, JOB_HUB, watch } from "./helpers.js";

/** A chunk big enough that a few dozen back a paused client's socket up. */
const BIG = "x".repeat(200 * 1024);
const CHUNKS = 48;

type Frame = Record<string, unknown>;
const indexOf = (frame: Frame) => (frame.data as { index: number }).index;

describe("a client that stops reading while a job streams", () => {
  it("gets every chunk and the latest progress once it reads again; superseded progress never queues", async () => {
    const { hub, url } = await startHub({
      ...JOB_HUB,
      limits: { queueBytes: 32 * 1024 * 1024 },
      jobs: { progressInterval: 1 },
    });
    const seen = await watch(hub, "slow");
    const job = await hub.jobs.create({ id: "slow", owner: { userId: "ada" } });
    const ada = await client(url, "ada");
    await ada.request({ type: "subscribe", channel: "job:slow" });
    ada.ws.pause();

    for (let index = 0; index < CHUNKS; index++) await job.chunk(BIG, { index });
    await until(() => hub.stats().queuedBytes > 0, "the paused client's socket to back up");
    const before = hub.stats().queuedBytes;

    // Hundreds of progress events pile onto the backed-up socket: each replaces the last.
    let calls = 0;
    const published = () => seen.events.filter((e) => e.event === "progress").length;
    while (published() < 300) {
      calls++;
      await job.progress(Math.min(99, calls * 0.01), { step: "stream" });
      await nextTurn();
    }
    const queued = hub.stats().queuedBytes;
    expect(queued - before).toBeLessThan(1024);
    await job.chunk("last", { index: CHUNKS });
    await job.complete({ rows: CHUNKS + 1 });
    const lastPercent = seen.events.filter((e) => e.event === "progress").at(-1)?.data;

    ada.ws.resume();
    await ada.next((f) => f.type === "event" && f.event === "completed");
    const events = ada.events("job:slow");
    const offsets = events.map((f) => f.offset as number);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const chunks = events.filter((f) => f.event === "chunk").map(indexOf);
    expect(chunks).toEqual(Array.from({ length: CHUNKS + 1 }, (_, i) => i));
    const progress = events.filter((f) => f.event === "progress");
    expect(progress.length).toBeLessThan(published());
    expect(progress.at(-1)?.data).toEqual(lastPercent);
    expect(ada.closeCode).toBeUndefined();
    await until(() => hub.stats().queuedBytes === 0, "the queue to drain");
  });

  it("is cut off with slow_consumer at the queue limit: memory stays bounded, the snapshot catches it up", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const job = await hub.jobs.create({ id: "cut", owner: { userId: "ada" } });
    const first = await client(url, "ada");
    await first.request({ type: "subscribe", channel: "job:cut" });
    first.ws.pause();
    let most = 0;
    for (let index = 0; index < CHUNKS; index++) {
      await job.chunk(BIG, { index, total: CHUNKS });
      most = Math.max(most, hub.stats().queuedBytes);
    }
    await job.progress(90, { step: "done soon" });
    // Whatever the job sends, a client that does not read holds at most the 1 MiB queue limit.
    expect(most).toBeLessThanOrEqual(1_048_576);
    first.ws.resume();
    expect(await first.waitClose()).toBe(closeCodeOf("slow_consumer"));

    const again = await client(url, "ada");
    const reply = await again.request({ type: "subscribe", channel: "job:cut" });
    const snapshot = (reply.result as { snapshot: Frame }).snapshot;
    expect(snapshot).toMatchObject({
      status: "running",
      percent: 90,
      step: "done soon",
      chunks: { count: CHUNKS, total: CHUNKS, truncated: true },
    });
    // The first chunks, up to maxSnapshotChunkBytes (512 KiB), are kept for late joiners.
    const items = (snapshot.chunks as { items: { index: number }[] }).items;
    expect(items.map((item) => item.index)).toEqual([0, 1]);
    await job.complete();
    await again.next((f) => f.type === "event" && f.event === "completed");
  });
});
