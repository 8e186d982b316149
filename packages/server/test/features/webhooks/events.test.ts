/**
 * Each webhook event type, caused by real clients, jobs and a feature announcing presence,
 * as a real receiver gets it.
 */
import { closeCodeOf } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { Feature } from "../../../src/index.js";
import { connected, RawClient, startHub } from "../../helpers/fixtures.js";
import { startReceiver } from "./receiver.js";

/** Stands in for the presence feature: announces joins and leaves as it will. */
const presenceAnnouncer: Feature<{ join(p: object): void; leave(p: object): void }> = {
  name: "presence",
  install: (host) => ({
    join: (payload) => host.emit("join", payload),
    leave: (payload) => host.emit("leave", payload),
  }),
};

describe("webhook events", () => {
  it("reports connected and disconnected with the close code and the hub's reason", async () => {
    const receiver = await startReceiver();
    const { hub, url } = await startHub(receiver.hubOptions());
    const client = new RawClient(url);
    const { sessionId } = await client.connect();
    const hello = await receiver.event("connected");
    expect(hello).toMatchObject({
      type: "connected",
      node: expect.any(String),
      data: { sessionId, userId: null, ip: "127.0.0.1", codec: "json" },
    });
    expect(Math.abs(hello.time - Date.now())).toBeLessThan(60_000);
    const { clientId } = hello.data;
    expect(hub.disconnect({ clientId })).toBe(1);
    const bye = await receiver.event("disconnected");
    expect(bye.data).toEqual({
      clientId,
      sessionId,
      userId: null,
      code: closeCodeOf("disconnected"),
      reason: "disconnected",
    });
    expect(await client.waitClose()).toBe(closeCodeOf("disconnected"));

    const other = await connected(url);
    other.ws.close(1000);
    const normal = await receiver.event("disconnected", (e) => e.data.clientId !== clientId);
    expect(normal.data).toMatchObject({ code: 1000, reason: null });
  });

  it("reports subscribed and unsubscribed, also for the subscriptions of a leaving client", async () => {
    const receiver = await startReceiver();
    const { url } = await startHub(receiver.hubOptions());
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "news" });
    await client.request({ type: "subscribe", channel: "sport" });
    await client.request({ type: "unsubscribe", channel: "news" });
    client.ws.close(1000);
    await receiver.event("disconnected");
    const seen = receiver.accepted
      .filter((e) => e.type === "subscribed" || e.type === "unsubscribed")
      .map((e) => [e.type, "channel" in e.data ? e.data.channel : null]);
    expect(seen).toEqual([
      ["subscribed", "news"],
      ["subscribed", "sport"],
      ["unsubscribed", "news"],
      ["unsubscribed", "sport"],
    ]);
    // Personal channels ($client:…) are not reported.
    expect(receiver.of("subscribed")).toHaveLength(2);
  });

  it("reports job_completed, job_failed and job_cancelled", async () => {
    const receiver = await startReceiver();
    const { hub } = await startHub(receiver.hubOptions());
    const ok = await hub.jobs.create({ id: "j-ok", owner: { userId: "ada" }, meta: { n: 1 } });
    await ok.complete({ big: "result" });
    const bad = await hub.jobs.create({ id: "j-bad" });
    await bad.fail("disk full", { code: "ENOSPC", retryable: true });
    const stop = await hub.jobs.create({ id: "j-stop" });
    await hub.jobs.cancel("j-stop", { reason: "user asked" });
    await stop.confirmCancel();
    const completed = await receiver.event("job_completed");
    expect(completed.data.job).toMatchObject({
      id: "j-ok",
      owner: { userId: "ada", sessionId: null },
      meta: { n: 1 },
      startedAt: expect.any(Number),
      finishedAt: expect.any(Number),
    });
    expect(completed.data).not.toHaveProperty("job.result");
    const failed = await receiver.event("job_failed");
    expect(failed.data).toMatchObject({
      job: { id: "j-bad" },
      error: { message: "disk full", code: "ENOSPC", retryable: true },
    });
    const cancelled = await receiver.event("job_cancelled");
    expect(cancelled.data).toMatchObject({ job: { id: "j-stop" }, reason: "user asked" });
  });

  it("reports presence joins at once and holds leaves for the grace: a quick comeback is silent", async () => {
    const receiver = await startReceiver();
    const { hub } = await startHub(receiver.hubOptions({ grace: 100 }));
    const presence = hub.use(presenceAnnouncer);
    const ada = { channel: "room:1", clientId: "c1", userId: "ada", info: { name: "Ada" } };
    const bob = { channel: "room:1", clientId: "c2", userId: "bob", info: null };
    presence.join(ada);
    presence.join(bob);
    // Ada reloads: her new connection joins within the grace.
    presence.leave(ada);
    presence.join({ ...ada, clientId: "c3" });
    // Bob goes for good; his leave's grace ends after Ada's would have.
    presence.leave(bob);
    await receiver.event("presence_leave");
    expect(
      receiver.accepted.map((e) => [e.type, "userId" in e.data ? e.data.userId : null]),
    ).toEqual([
      ["presence_join", "ada"],
      ["presence_join", "bob"],
      ["presence_leave", "bob"],
    ]);
    expect(receiver.of("presence_join")[0]?.data).toEqual(ada);
  });

  it("sends the presence leaves it still holds when the hub closes", async () => {
    const receiver = await startReceiver();
    const { hub } = await startHub(receiver.hubOptions({ grace: 60_000 }));
    const presence = hub.use(presenceAnnouncer);
    presence.join({ channel: "room:2", clientId: "c1", userId: null, info: null });
    presence.leave({ channel: "room:2", clientId: "c1", userId: null, info: null });
    presence.leave({ channel: "room:2", userId: "no client id" }); // not a presence change
    await hub.close({ timeout: 500 });
    expect(receiver.accepted.map((e) => e.type)).toEqual(["presence_join", "presence_leave"]);
  });
});
