import type { JobHandle } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { type Client, createClient, type Job, type JobState } from "../src/index.js";
import { HubServer, Signal, useIntegration } from "./hub-fixture.js";

const { disposers } = useIntegration();

async function startHub() {
  const fixture = await HubServer.start({ allowAnonymous: true });
  disposers.push(() => fixture.stop());
  return fixture;
}

/**
 * A client whose job stores and connection poke one signal: in a session the hub issues, or
 * in `sessionId` (another tab of a session it issued before).
 */
function connectClient(url: string, sessionId?: string) {
  const signal = new Signal();
  const client: Client = createClient({
    url,
    ...(sessionId === undefined ? {} : { sessionId }),
    reconnect: { minDelay: 20, maxDelay: 200 },
  });
  disposers.push(() => client.close());
  client.connection.subscribe(signal.poke);
  const follow = (id: string) => {
    const job: Job = client.job(id);
    disposers.push(() => job.dispose());
    job.subscribe(signal.poke);
    return job;
  };
  const connected = () => client.connection.getSnapshot().status === "connected";
  return { client, signal, follow, connected };
}

/** Steps a producer waits for, opened one by one by the test. */
function gates() {
  const opened: (() => void)[] = [];
  const waiting = new Map<number, Promise<void>>();
  const at = (n: number) => {
    let promise = waiting.get(n);
    if (!promise) {
      promise = new Promise<void>((resolve) => {
        opened[n] = resolve;
      });
      waiting.set(n, promise);
    }
    return promise;
  };
  return {
    wait: at,
    open: (n: number) => {
      void at(n);
      opened[n]?.();
    },
  };
}

/** A job of session `sessionId` that reports three steps, one chunk each, waiting at gates 1 and 2. */
async function threeSteps(fixture: HubServer, gate: ReturnType<typeof gates>, sessionId: string) {
  return fixture.hub.jobs.run(
    async (job: JobHandle) => {
      const steps = ["Blur", "Threshold", "Label"];
      for (const [index, step] of steps.entries()) {
        if (index > 0) await gate.wait(index);
        job.signal.throwIfAborted();
        await job.progress(index * 33, { step });
        await job.chunk({ step }, { index, total: 3 });
      }
      return { objects: 7 };
    },
    { owner: { sessionId }, meta: { algorithm: "zstack" } },
  );
}

const chunkSteps = (state: JobState) =>
  state.chunks.map((chunk) => (chunk.data as { step: string }).step);

describe("client.job against a real hub", () => {
  it("follows a job to its end; a late joiner starts from the snapshot with the chunks so far", async () => {
    const fixture = await startHub();
    const gate = gates();
    const early = connectClient(fixture.url);
    await early.signal.until(early.connected, "connected");
    const session = early.client.sessionId as string;
    const handle = await threeSteps(fixture, gate, session);
    const job = early.follow(handle.id);
    await early.signal.until(() => job.getSnapshot().chunks.length === 1, "the first chunk");
    expect(job.getSnapshot()).toMatchObject({
      status: "running",
      step: "Blur",
      meta: { algorithm: "zstack" },
      subscription: "subscribed",
    });
    gate.open(1);
    // Progress is throttled (10 per second) while chunks go out at once: wait for both.
    const second = () => job.getSnapshot().chunks.length === 2 && job.getSnapshot().percent === 33;
    await early.signal.until(second, "the second step");

    const late = connectClient(fixture.url, session);
    const joined = late.follow(handle.id);
    await late.signal.until(() => joined.getSnapshot().status !== null, "the late snapshot");
    // At once, before any new event: status, step and the chunks so far.
    expect(joined.getSnapshot()).toMatchObject({
      status: "running",
      step: "Threshold",
      percent: 33,
      chunkCount: 2,
      chunkTotal: 3,
    });
    expect(chunkSteps(joined.getSnapshot())).toEqual(["Blur", "Threshold"]);

    gate.open(2);
    for (const [who, store] of [
      [early, job],
      [late, joined],
    ] as const) {
      await who.signal.until(() => store.getSnapshot().status === "completed", "completed");
      expect(store.getSnapshot()).toMatchObject({
        percent: 100,
        step: "Label",
        result: { objects: 7 },
        chunkCount: 3,
      });
      expect(chunkSteps(store.getSnapshot())).toEqual(["Blur", "Threshold", "Label"]);
    }
  });

  it("catches up after a reconnect mid-job: every chunk, the latest progress, the end", async () => {
    const fixture = await startHub();
    const gate = gates();
    const { client, signal, follow, connected } = connectClient(fixture.url);
    await signal.until(connected, "connected");
    const handle = await threeSteps(fixture, gate, client.sessionId as string);
    const job = follow(handle.id);
    await signal.until(() => job.getSnapshot().chunks.length === 1, "the first chunk");
    client.disconnect();
    expect(job.getSnapshot().subscription).toBe("subscribing");
    gate.open(1);
    gate.open(2);
    await handle.done;
    expect(job.getSnapshot().status).toBe("running"); // nothing arrived while away
    client.connect();
    await signal.until(() => job.getSnapshot().status === "completed", "completed");
    expect(chunkSteps(job.getSnapshot())).toEqual(["Blur", "Threshold", "Label"]);
    expect(job.getSnapshot()).toMatchObject({ percent: 100, subscription: "subscribed" });

    // A cut by the hub (a slow consumer is told to reconnect now) changes nothing either.
    const clientId = client.connection.getSnapshot().info?.clientId ?? "";
    const before = job.getSnapshot();
    fixture.hub.disconnect({ clientId }, "slow_consumer");
    await signal.until(() => job.getSnapshot().subscription === "subscribing", "the cut");
    await signal.until(() => job.getSnapshot().subscription === "subscribed", "resubscribed");
    expect(job.getSnapshot()).toMatchObject({
      status: "completed",
      seq: before.seq,
      chunks: before.chunks,
    });
  });

  it("cancels: the producer's signal aborts and the job ends cancelled", async () => {
    const fixture = await startHub();
    const gate = gates();
    const { client, signal, follow, connected } = connectClient(fixture.url);
    await signal.until(connected, "connected");
    const handle = await threeSteps(fixture, gate, client.sessionId as string);
    const job = follow(handle.id);
    await signal.until(() => job.getSnapshot().chunks.length === 1, "the first chunk");
    const requested = await job.cancel("Stopped by the user");
    expect(requested).toMatchObject({ status: "cancelling", cancelRequested: true });
    expect(handle.signal.aborted).toBe(true);
    gate.open(1); // the producer goes on, sees its signal and stops
    await signal.until(() => job.getSnapshot().status === "cancelled", "cancelled");
    expect(job.getSnapshot().chunks).toHaveLength(1);
    await expect(job.cancel()).rejects.toMatchObject({ code: "job_finished" });
  });

  it("reports a job the hub does not know", async () => {
    const fixture = await startHub();
    const { signal, follow } = connectClient(fixture.url);
    const job = follow("no-such-job");
    await signal.until(() => job.getSnapshot().subscription === "failed", "refused");
    expect(job.getSnapshot().subscribeError).toMatchObject({ code: "job_not_found" });
  });
});

describe("client.jobs against a real hub", () => {
  it("lists the session's jobs, again after a reconnect and on refresh()", async () => {
    const fixture = await startHub();
    const { client, signal, connected } = connectClient(fixture.url);
    const list = client.jobs();
    disposers.push(() => list.dispose());
    list.subscribe(signal.poke);
    await signal.until(() => list.getSnapshot().status === "ready", "the first list");
    expect(list.getSnapshot().jobs).toEqual([]);

    const gate = gates();
    const session = client.sessionId as string;
    const first = await threeSteps(fixture, gate, session);
    await expect(list.refresh()).resolves.toMatchObject({ jobs: [{ id: first.id }] });

    client.disconnect();
    const second = await fixture.hub.jobs.create({ owner: { sessionId: session } });
    await fixture.hub.jobs.create({ owner: { sessionId: "someone-else" } });
    client.connect();
    await signal.until(() => connected() && list.getSnapshot().jobs.length === 2, "relisted");
    expect(
      list
        .getSnapshot()
        .jobs.map((job) => job.id)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    gate.open(1);
    gate.open(2);
    await first.done;
    await second.complete();
  });
});
