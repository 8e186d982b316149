/**
 * Each webhook event type, caused by real clients, jobs and the presence feature,
 * as a real receiver gets it.
 */
import { closeCodeOf } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { connected, RawClient, startHub } from "../../helpers/fixtures.js";
import { signToken, TEST_SECRET } from "../../helpers/tokens.js";
import { startReceiver } from "./receiver.js";

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
    const { url } = await startHub({
      ...receiver.hubOptions({ grace: 300 }),
      auth: { secret: TEST_SECRET },
      presence: { namespaces: { room: true } },
    });
    const join = async (user: string) => {
      const client = new RawClient(url);
      await client.connect({ token: await signToken(user, { presence: { name: user } }) });
      await client.request({ type: "subscribe", channel: "room:1" });
      return client;
    };
    const ada = await join("ada");
    await receiver.event("presence_join", (e) => e.data.userId === "ada");
    const bob = await join("bob");
    await receiver.event("presence_join", (e) => e.data.userId === "bob");
    // Ada reloads: her tab closes, a new connection joins within the grace.
    ada.ws.close(1001);
    await ada.waitClose();
    await join("ada");
    // Bob goes for good.
    bob.ws.close(1000);
    await receiver.event("presence_leave");
    expect(
      receiver.accepted
        .filter((e) => e.type.startsWith("presence_"))
        .map((e) => [e.type, "userId" in e.data ? e.data.userId : null]),
    ).toEqual([
      ["presence_join", "ada"],
      ["presence_join", "bob"],
      ["presence_leave", "bob"],
    ]);
    expect(receiver.of("presence_join")[0]?.data).toMatchObject({
      channel: "room:1",
      userId: "ada",
      info: { name: "ada" },
    });
  });

  it("sends the presence leaves it still holds when the hub closes", async () => {
    const receiver = await startReceiver();
    const { hub, url } = await startHub({
      ...receiver.hubOptions({ grace: 60_000 }),
      presence: { namespaces: { room: true } },
    });
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "room:2" });
    await receiver.event("presence_join");
    client.ws.close(1000);
    await receiver.event("unsubscribed");
    await hub.close({ timeout: 500 });
    expect(
      receiver.accepted.filter((e) => e.type.startsWith("presence_")).map((e) => e.type),
    ).toEqual(["presence_join", "presence_leave"]);
  });
});
