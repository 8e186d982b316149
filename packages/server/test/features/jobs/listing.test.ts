import { describe, expect, it } from "vitest";
import { createMemoryBroker } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { client, codeOf, JOB_HUB, sessionOf } from "./helpers.js";

describe("listing jobs", () => {
  it("lists the jobs of a user and of a session, newest first, without chunk data", async () => {
    const { hub } = await startHub(JOB_HUB);
    const first = await hub.jobs.create({ id: "a1", owner: { userId: "ada", sessionId: "t1" } });
    await first.chunk("big", { index: 0 });
    await first.complete();
    await hub.jobs.create({ id: "a2", owner: { userId: "ada", sessionId: "t2" } });
    await hub.jobs.create({ id: "b1", owner: { userId: "bob" } });
    await hub.jobs.create({ id: "s1", owner: { sessionId: "t1" } });

    const ada = await hub.jobs.list({ userId: "ada" });
    expect(new Set(ada.map((job) => job.id))).toEqual(new Set(["a1", "a2"]));
    expect(ada.find((job) => job.id === "a1")).toMatchObject({
      status: "completed",
      chunks: { count: 1, truncated: false },
    });
    expect(ada[0]?.chunks).not.toHaveProperty("items");
    const created = ada.map((job) => job.createdAt);
    expect(created).toEqual([...created].sort((x, y) => y - x));
    expect((await hub.jobs.list({ sessionId: "t1" })).map((job) => job.id).sort()).toEqual([
      "a1",
      "s1",
    ]);
    expect(await hub.jobs.list({ userId: "nobody" })).toEqual([]);
  });

  it("answers job.list with the caller's own jobs: its user's and its session's", async () => {
    const { hub, url } = await startHub(JOB_HUB);
    await hub.jobs.create({ id: "u", owner: { userId: "ada" } });
    await hub.jobs.create({ id: "s", owner: { sessionId: "ada-tab" } });
    await hub.jobs.create({ id: "both", owner: { userId: "ada", sessionId: "ada-tab" } });
    await hub.jobs.create({ id: "other", owner: { userId: "bob", sessionId: "bob-tab" } });
    // A page reloaded mid-job: a new connection of the same user and session.
    const reloaded = await client(url, "ada", { sessionId: "ada-tab" });
    const reply = await reloaded.request({ type: "rpc", method: "job.list", data: {} });
    const jobs = (reply.result as { jobs: { id: string; owner?: unknown }[] }).jobs;
    expect(jobs.map((job) => job.id).sort()).toEqual(["both", "s", "u"]);
    expect(jobs[0]).not.toHaveProperty("owner");
    // Ada's session id is bound to her: an anonymous client asking for it lists nothing.
    const anonymous = await client(url, null, { sessionId: "ada-tab" });
    const none = await anonymous.request({ type: "rpc", method: "job.list" });
    expect(none.result).toEqual({ jobs: [] });
    // An anonymous session lists its own jobs from any of its tabs.
    await hub.jobs.create({ id: "anon", owner: { sessionId: sessionOf(anonymous) } });
    const otherTab = await client(url, null, { sessionId: sessionOf(anonymous) });
    const own = await otherTab.request({ type: "rpc", method: "job.list" });
    expect((own.result as { jobs: { id: string }[] }).jobs.map((job) => job.id)).toEqual(["anon"]);
  });
});

describe("retention", () => {
  it("keeps a finished job for jobs.retention, then answers job_not_found", async () => {
    let clock = 1_700_000_000_000;
    const broker = createMemoryBroker({ now: () => clock });
    const { hub, url } = await startHub({ ...JOB_HUB, broker, jobs: { retention: 60_000 } });
    const job = await hub.jobs.create({ id: "old", owner: { userId: "ada" } });
    await job.chunk("kept", { index: 0 });
    await job.complete({ ok: true });
    clock += 59_000;
    expect(await hub.jobs.get("old")).toMatchObject({
      status: "completed",
      chunks: { items: [{ index: 0, data: "kept" }] },
    });
    expect((await hub.jobs.list({ userId: "ada" })).map((info) => info.id)).toEqual(["old"]);

    clock += 2_000;
    expect(await codeOf(hub.jobs.get("old"))).toBe("job_not_found");
    expect(await hub.jobs.list({ userId: "ada" })).toEqual([]);
    const ada = await client(url, "ada");
    const reply = await ada.request({ type: "subscribe", channel: "job:old" });
    expect(reply.error).toMatchObject({ code: "job_not_found" });
  });

  it("keeps an unfinished job while it reports, and forgets it after activeTtl of silence", async () => {
    let clock = 1_700_000_000_000;
    const broker = createMemoryBroker({ now: () => clock });
    const { hub } = await startHub({ ...JOB_HUB, broker, jobs: { activeTtl: 10_000 } });
    const job = await hub.jobs.create({ id: "live", owner: { userId: "ada" } });
    for (let step = 1; step <= 3; step++) {
      clock += 8_000;
      await job.chunk(step, { index: step });
    }
    expect(await hub.jobs.get("live")).toMatchObject({ status: "running", chunks: { count: 3 } });
    clock += 10_001;
    expect(await codeOf(hub.jobs.get("live"))).toBe("job_not_found");
  });

  it("uses a 10-minute retention by default", async () => {
    let clock = 1_700_000_000_000;
    const broker = createMemoryBroker({ now: () => clock });
    const { hub } = await startHub({ ...JOB_HUB, broker });
    await (await hub.jobs.create({ id: "d" })).complete();
    clock += 599_000;
    expect(await hub.jobs.get("d")).toMatchObject({ status: "completed" });
    clock += 2_000;
    expect(await codeOf(hub.jobs.get("d"))).toBe("job_not_found");
  });
});
