import { describe, expect, it } from "vitest";
import { startHub } from "../../helpers/fixtures.js";
import { untilOffset } from "../../helpers/streams.js";
import { client, JOB_HUB, sessionOf, watch } from "./helpers.js";

type Result = Record<string, unknown> & { snapshot?: Record<string, unknown> };

describe("subscribing to job:<id>", () => {
  it("gives a late joiner the job's snapshot at once, in the subscribe reply", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const seen = await watch(hub, "late");
    const job = await hub.jobs.create({ id: "late", owner: { userId: "ada" }, meta: { n: 1 } });
    await job.progress(40, { step: "mesh", eta: 12 });
    await job.chunk([1, 2, 3], { index: 0, total: 4 });
    await seen.until((events) => events.length === 3);

    const ada = await client(url, "ada");
    const reply = await ada.request({ type: "subscribe", channel: "job:late" });
    const result = reply.result as Result;
    expect(result).toMatchObject({ channel: "job:late", offset: 3, conflated: true });
    expect(result.snapshot).toMatchObject({
      id: "late",
      status: "running",
      percent: 40,
      step: "mesh",
      eta: 12,
      meta: { n: 1 },
      cancelRequested: false,
      seq: 3,
      chunks: { count: 1, total: 4, items: [{ index: 0, data: [1, 2, 3] }], truncated: false },
    });
    // The owner's session id is not shown to watchers.
    expect(result.snapshot).not.toHaveProperty("owner");

    await job.progress(60);
    const next = await ada.next((f) => f.type === "event" && f.event === "progress");
    expect(next).toMatchObject({ channel: "job:late", offset: 4, data: { seq: 4, percent: 60 } });
  });

  it("lets a reconnecting client recover what it missed, with the current snapshot", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const seen = await watch(hub, "rc");
    const job = await hub.jobs.create({ id: "rc", owner: { userId: "ada" } });
    const first = await client(url, "ada");
    const reply = await first.request({ type: "subscribe", channel: "job:rc" });
    const position = reply.result as { epoch: string; offset: number };
    await job.progress(20, { step: "load" });
    await untilOffset(first, "job:rc", 2);
    first.ws.terminate();

    await job.chunk("row 0", { index: 0 });
    await job.progress(30, { step: "solve" });
    await job.chunk("row 1", { index: 1 });
    // The second progress waits for its turn in the throttle; the chunks do not.
    await seen.until((events) => events.length === 5);

    const again = await client(url, "ada");
    const resumed = await again.request({
      type: "subscribe",
      channel: "job:rc",
      since: { epoch: position.epoch, offset: 2 },
    });
    expect(resumed.result).toMatchObject({ recovered: true, offset: 2 });
    expect((resumed.result as Result).snapshot).toMatchObject({
      percent: 30,
      step: "solve",
      chunks: { count: 2, items: [{ index: 0 }, { index: 1 }] },
    });
    await untilOffset(again, "job:rc", 5);
    expect(again.events("job:rc").map((f) => [f.offset, f.event])).toEqual([
      [3, "chunk"],
      [4, "chunk"],
      [5, "progress"],
    ]);
  });

  it("lets the owner's user and session in, and strangers only as the job's visibility says", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const anonOwner = await client(url, null);
    await hub.jobs.create({ id: "own", owner: { userId: "ada", sessionId: "ada-tab" } });
    await hub.jobs.create({ id: "anon", owner: { sessionId: sessionOf(anonOwner) } });
    await hub.jobs.create({ id: "team", owner: { userId: "ada" }, visibility: "authenticated" });
    await hub.jobs.create({ id: "open", owner: { userId: "ada" }, visibility: "anyone" });
    const code = async (who: Awaited<ReturnType<typeof client>>, channel: string) => {
      const reply = await who.request({ type: "subscribe", channel });
      return (reply.error as { code?: string } | undefined)?.code ?? "ok";
    };
    const adaOtherSession = await client(url, "ada", { sessionId: "ada-phone" });
    const adaTab = await client(url, "ada", { sessionId: "ada-tab" });
    // The session id of Ada's tab is hers: an anonymous client asking for it gets its own.
    const anonymousAsAdaTab = await client(url, null, { sessionId: "ada-tab" });
    const anonOtherTab = await client(url, null, { sessionId: sessionOf(anonOwner) });
    const bob = await client(url, "bob");
    const stranger = await client(url, null);
    const carol = await client(url, "carol", { claims: { channels: ["job:own"] } });

    expect(await code(adaOtherSession, "job:own")).toBe("ok");
    expect(await code(adaTab, "job:own")).toBe("ok");
    expect(await code(anonymousAsAdaTab, "job:own")).toBe("forbidden");
    expect(await code(anonOwner, "job:anon")).toBe("ok");
    expect(await code(anonOtherTab, "job:anon")).toBe("ok");
    expect(await code(carol, "job:own")).toBe("ok");
    expect(await code(bob, "job:own")).toBe("forbidden");
    expect(await code(stranger, "job:anon")).toBe("forbidden");
    expect(await code(bob, "job:team")).toBe("ok");
    expect(await code(stranger, "job:team")).toBe("forbidden");
    expect(await code(stranger, "job:open")).toBe("ok");
    expect(await code(bob, "job:nowhere")).toBe("job_not_found");

    const publish = await adaOtherSession.request({
      type: "publish",
      channel: "job:own",
      event: "progress",
      data: { percent: 99 },
    });
    expect(publish.error).toMatchObject({ code: "forbidden" });
  });

  it("answers job.get with the snapshot for watchers only", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const job = await hub.jobs.create({ id: "g", owner: { userId: "ada" } });
    await job.chunk({ row: 0 }, { index: 0 });
    const ada = await client(url, "ada");
    const bob = await client(url, "bob");
    const own = await ada.request({ type: "rpc", method: "job.get", data: { id: "g" } });
    expect(own.result).toMatchObject({
      id: "g",
      status: "running",
      chunks: { items: [{ index: 0, data: { row: 0 } }] },
    });
    expect(own.result).not.toHaveProperty("owner");
    const other = await bob.request({ type: "rpc", method: "job.get", data: { id: "g" } });
    expect(other.error).toMatchObject({ code: "forbidden" });
    const none = await ada.request({ type: "rpc", method: "job.get", data: { id: "zz" } });
    expect(none.error).toMatchObject({ code: "job_not_found" });
    const bad = await ada.request({ type: "rpc", method: "job.get", data: { ID: "g" } });
    expect(bad.error).toMatchObject({ code: "invalid_data" });
  });

  it("lets a user's own job namespace rules win over the built-in ones, keeping the snapshot", async () => {
    const { hub, url } = await startHub({
      ...JOB_HUB,
      namespaces: { job: { subscribe: "anyone", history: { size: 10 } } },
    });
    await hub.jobs.create({ id: "cfg", owner: { userId: "ada" } });
    const stranger = await client(url, null);
    const reply = await stranger.request({ type: "subscribe", channel: "job:cfg" });
    expect(reply.result).toMatchObject({ conflated: true, snapshot: { id: "cfg" } });
  });
});

describe("progress on the way to a client", () => {
  it("conflates per step: a burst of step changes reaches the client, each step's latest value", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    const job = await hub.jobs.create({ id: "steps", owner: { userId: "ada" } });
    const ada = await client(url, "ada");
    await ada.request({ type: "subscribe", channel: "job:steps" });
    // Published in one tick, so all of them wait in the client's queue together.
    await Promise.all([
      job.progress(10, { step: "load" }),
      job.progress(20, { step: "blur" }),
      job.progress(30, { step: "blur" }),
      job.progress(40, { step: "threshold" }),
      job.complete({ ok: true }),
    ]);
    await ada.next((f) => f.type === "event" && f.event === "completed");
    const steps = ada
      .events("job:steps")
      .filter((f) => f.event === "progress")
      .map((f) => (f.data as { step: string }).step);
    expect([...new Set(steps)]).toEqual(["load", "blur", "threshold"]);
  });
});
