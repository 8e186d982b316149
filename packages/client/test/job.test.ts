import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client, Job, JobSnapshot } from "../src/index.js";
import { connect, type FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const { start } = useFakeSockets();
const jobs: Job[] = [];

function follow(client: Client, id: string) {
  const job = client.job(id);
  jobs.push(job);
  return job;
}

function snapshot(patch: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id: "j1",
    status: "running",
    percent: 0,
    step: null,
    eta: null,
    meta: { algorithm: "otsu" },
    visibility: "owner",
    createdAt: 1_000,
    startedAt: 1_000,
    updatedAt: 1_000,
    finishedAt: null,
    cancelRequested: false,
    chunks: { count: 0, total: null, items: [], truncated: false },
    result: null,
    error: null,
    validation: null,
    seq: 1,
    ...patch,
  };
}

/** Answers the latest subscribe frame of `job:<id>` with a snapshot at `offset`. */
function answer(socket: FakeSocket, state: JobSnapshot, offset = 1) {
  const channel = `job:${state.id}`;
  const frame = socket
    .frames("subscribe")
    .filter((f) => f.channel === channel)
    .at(-1);
  if (!frame) throw new Error(`no subscribe for ${channel}`);
  socket.reply(frame.id, { channel, epoch: "e1", offset, conflated: true, snapshot: state });
  return frame;
}

let offset = 1;
function event(name: string, data: Record<string, unknown>, timestamp = 2_000) {
  return { type: "event", channel: "job:j1", event: name, data, offset: ++offset, timestamp };
}

beforeEach(() => {
  offset = 1;
});

afterEach(() => {
  for (const job of jobs.splice(0)) job.dispose();
});

describe("client.job", () => {
  it("is empty until the snapshot, which seeds it; later events apply on top", async () => {
    const client = start();
    const job = follow(client, "j1");
    const changes: number[] = [];
    job.subscribe(() => changes.push(job.getSnapshot().percent));
    expect(job.getSnapshot()).toMatchObject({
      id: "j1",
      status: null,
      subscription: "subscribing",
    });
    const socket = await connect();
    answer(socket, snapshot({ percent: 40, step: "Blur", eta: 6, updatedAt: 1_500, seq: 3 }));
    expect(job.getSnapshot()).toMatchObject({
      status: "running",
      percent: 40,
      step: "Blur",
      eta: 6,
      etaAt: 7_500,
      meta: { algorithm: "otsu" },
      subscription: "subscribed",
      seq: 3,
    });
    // seq 3 is in the snapshot already (it was read after the subscription was registered).
    socket.receive(event("progress", { seq: 3, percent: 41, step: "Blur", eta: 5 }));
    expect(job.getSnapshot().percent).toBe(40);
    socket.receive(event("progress", { seq: 4, percent: 55, step: null, eta: 4 }, 3_000));
    expect(job.getSnapshot()).toMatchObject({
      percent: 55,
      step: "Blur",
      eta: 4,
      etaAt: 7_000,
      updatedAt: 3_000,
      seq: 4,
    });
    expect(changes).toEqual([40, 55]);
  });

  it("assembles chunks by index, in order, each index once, after the kept ones", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    const kept = [{ index: 0, data: "a" }];
    answer(socket, snapshot({ chunks: { count: 1, total: 4, items: kept, truncated: false } }));
    socket.receive(event("chunk", { seq: 2, index: 2, total: 4, data: "c" }));
    socket.receive(event("chunk", { seq: 3, index: 1, total: 4, data: "b" }));
    socket.receive(event("chunk", { seq: 4, index: 1, total: 4, data: "again" }));
    expect(job.getSnapshot()).toMatchObject({
      chunks: [
        { index: 0, data: "a" },
        { index: 1, data: "b" },
        { index: 2, data: "c" },
      ],
      chunkCount: 3,
      chunkTotal: 4,
    });
  });

  it("counts chunks the hub no longer keeps for late joiners", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot({ chunks: { count: 5, total: null, items: [], truncated: true } }));
    socket.receive(event("chunk", { seq: 2, index: 5, total: null, data: "f" }));
    expect(job.getSnapshot()).toMatchObject({ chunks: [{ index: 5 }], chunkCount: 6 });
  });

  it("keeps a final state final, with the result, the error or the reason", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot({ percent: 90, eta: 1 }));
    socket.receive(event("validation_required", { seq: 2, reason: "low", confidence: 0.6 }));
    socket.receive(event("completed", { seq: 3, result: { objects: 4 } }, 5_000));
    socket.receive(event("failed", { seq: 4, error: { message: "late" } }));
    socket.receive(event("cancel_requested", { reason: null }));
    expect(job.getSnapshot()).toMatchObject({
      status: "completed",
      percent: 100,
      eta: 0,
      etaAt: 5_000,
      finishedAt: 5_000,
      result: { objects: 4 },
      error: null,
      cancelRequested: false,
      validation: { reason: "low", confidence: 0.6, suggestedActions: [] },
    });

    const failing = follow(client, "j2");
    await flush();
    answer(socket, snapshot({ id: "j2" }));
    const error = { message: "GPU memory insufficient", code: "CUDA_OOM", retryable: true };
    socket.receive({ ...event("failed", { seq: 2, error }), channel: "job:j2", offset: 2 });
    expect(failing.getSnapshot()).toMatchObject({ status: "failed", error, eta: null });
  });

  it("cancel() calls job.cancel; cancel_requested turns it cancelling, cancelled ends it", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot({ percent: 20 }));
    const cancelling = job.cancel("Stopped by the user");
    await flush();
    const call = socket.frames("rpc").at(-1);
    expect(call).toMatchObject({
      method: "job.cancel",
      data: { id: "j1", reason: "Stopped by the user" },
    });
    socket.reply(call?.id, snapshot({ status: "cancelling", cancelRequested: true, percent: 20 }));
    await expect(cancelling).resolves.toMatchObject({
      status: "cancelling",
      cancelRequested: true,
    });
    socket.receive(event("cancel_requested", { reason: "Stopped by the user" }));
    socket.receive(event("cancelled", { seq: 2, reason: "Stopped by the user" }));
    expect(job.getSnapshot()).toMatchObject({ status: "cancelled", cancelRequested: true });
  });

  it("turns running into cancelling on cancel_requested, and rejects a refused cancel", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot());
    socket.receive(event("cancel_requested", { reason: null }));
    expect(job.getSnapshot()).toMatchObject({ status: "cancelling", cancelRequested: true });
    const cancel = job.cancel();
    await flush();
    const call = socket.frames("rpc").at(-1);
    expect(call?.data).toEqual({ id: "j1" });
    socket.receive({
      type: "reply",
      id: call?.id,
      error: { code: "forbidden", message: "Only the owner of job 'j1' may cancel it" },
    });
    await expect(cancel).rejects.toMatchObject({ code: "forbidden" });
  });

  it("reseeds from the snapshot of every reconnect and keeps the chunks it already has", async () => {
    const client = start();
    const job = follow(client, "j1");
    let socket = await connect();
    answer(socket, snapshot({ chunks: { count: 0, total: 3, items: [], truncated: false } }));
    socket.receive(event("chunk", { seq: 2, index: 0, total: 3, data: "a" }));
    socket.serverClose(1006);
    expect(job.getSnapshot()).toMatchObject({ subscription: "subscribing", chunkCount: 1 });
    socket = await connect();
    const chunks = { count: 2, total: 3, items: [{ index: 1, data: "b" }], truncated: true };
    answer(socket, snapshot({ percent: 70, step: "Label", chunks, seq: 5 }), 2);
    // Recovery replays what the snapshot has already: skipped by seq.
    socket.receive(event("chunk", { seq: 3, index: 1, total: 3, data: "b" }));
    socket.receive(event("progress", { seq: 4, percent: 60, step: "Label", eta: null }));
    expect(job.getSnapshot()).toMatchObject({
      subscription: "subscribed",
      percent: 70,
      step: "Label",
      seq: 5,
      chunks: [
        { index: 0, data: "a" },
        { index: 1, data: "b" },
      ],
      chunkCount: 2,
    });
  });

  it("reports a refused subscription (unknown job)", async () => {
    const client = start();
    const job = follow(client, "gone");
    const socket = await connect();
    const frame = socket.frames("subscribe").find((f) => f.channel === "job:gone");
    socket.receive({
      type: "reply",
      id: frame?.id,
      error: { code: "job_not_found", message: "No job 'gone'" },
    });
    expect(job.getSnapshot()).toMatchObject({ status: null, subscription: "failed" });
    expect(job.getSnapshot().subscribeError).toMatchObject({ code: "job_not_found" });
  });

  it("asks job.get when the channel is already live, holding events until the answer", async () => {
    const client = start();
    const first = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot({ percent: 10 }));
    socket.receive(event("progress", { seq: 2, percent: 30, step: "Blur", eta: null }));
    const second = follow(client, "j1");
    const get = socket.frames("rpc").at(-1);
    expect(get).toMatchObject({ method: "job.get", data: { id: "j1" } });
    socket.receive(event("progress", { seq: 3, percent: 50, step: "Blur", eta: null }));
    expect(second.getSnapshot().status).toBe(null);
    socket.reply(get?.id, snapshot({ percent: 30, step: "Blur", seq: 2 }));
    await flush();
    expect(second.getSnapshot()).toMatchObject({ percent: 50, step: "Blur", seq: 3 });
    expect(first.getSnapshot()).toMatchObject({ percent: 50, seq: 3 });
  });

  it("dispose() leaves the channel and freezes the state", async () => {
    const client = start();
    const job = follow(client, "j1");
    const socket = await connect();
    answer(socket, snapshot({ percent: 10 }));
    job.dispose();
    expect(job.getSnapshot()).toMatchObject({ subscription: "unsubscribed", percent: 10 });
    expect(socket.frames("unsubscribe")).toMatchObject([{ channel: "job:j1" }]);
    socket.receive(event("progress", { seq: 2, percent: 30, step: null, eta: null }));
    expect(job.getSnapshot().percent).toBe(10);
  });
});

describe("client.jobs", () => {
  it("lists on connect, again on every reconnect and on refresh(); failures are in the state", async () => {
    const client = start();
    const list = client.jobs();
    const statuses: string[] = [];
    list.subscribe(() => statuses.push(list.getSnapshot().status));
    expect(list.getSnapshot()).toEqual({ jobs: [], status: "loading", error: null });
    let socket = await connect();
    const calls = () => socket.frames("rpc").filter((f) => f.method === "job.list");
    expect(calls()).toHaveLength(1);
    socket.reply(calls()[0]?.id, { jobs: [snapshot()] });
    await flush();
    expect(list.getSnapshot()).toMatchObject({ jobs: [{ id: "j1" }], status: "ready" });

    socket.serverClose(1006);
    socket = await connect();
    expect(calls()).toHaveLength(1);
    socket.reply(calls()[0]?.id, { jobs: [snapshot({ id: "j2" }), snapshot()] });
    await flush();
    expect(list.getSnapshot().jobs.map((job) => job.id)).toEqual(["j2", "j1"]);

    const refreshed = list.refresh();
    await flush();
    socket.receive({
      type: "reply",
      id: calls()[1]?.id,
      error: { code: "internal_error", message: "broker down" },
    });
    await expect(refreshed).resolves.toMatchObject({ status: "failed", jobs: [{ id: "j2" }, {}] });
    expect(list.getSnapshot().error).toMatchObject({ code: "internal_error" });
    expect(statuses).toEqual(["ready", "ready", "failed"]);
    list.dispose();
  });

  it("keeps only the answer to the latest request", async () => {
    const client = start();
    const list = client.jobs();
    const socket = await connect();
    const stale = socket.frames("rpc").at(-1);
    const latest = list.refresh();
    await flush();
    const fresh = socket.frames("rpc").at(-1);
    socket.reply(fresh?.id, { jobs: [snapshot({ id: "new" })] });
    await latest;
    socket.reply(stale?.id, { jobs: [snapshot({ id: "old" })] });
    await flush();
    expect(list.getSnapshot().jobs.map((job) => job.id)).toEqual(["new"]);
    list.dispose();
  });
});
