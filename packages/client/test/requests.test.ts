import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it, vi } from "vitest";
import { ClientError } from "../src/index.js";
import { connect, FakeSocket, flush, reconnect, useFakeSockets } from "./fake-socket.js";

const { start } = useFakeSockets();

describe("outbox", () => {
  it("queues publishes and RPC calls made while disconnected and sends them in order", async () => {
    const client = start();
    const calls = [
      client.publish("chat:1", "message", { n: 1 }),
      client.rpc("math.add", { a: 1, b: 2 }),
      client.publish("chat:1", "message", { n: 2 }),
    ];
    client.subscribe("chat:1");
    const socket = await connect();
    const sent = socket.sent.filter((frame) => frame.type !== "connect");
    // Subscriptions first, then the outbox in call order.
    expect(sent.map((frame) => frame.type)).toEqual(["subscribe", "publish", "rpc", "publish"]);
    expect(sent.slice(1).map((frame) => frame.data)).toEqual([{ n: 1 }, { a: 1, b: 2 }, { n: 2 }]);
    for (const frame of sent) socket.reply(frame.id, frame.type === "rpc" ? 3 : { offset: 1 });
    await expect(Promise.all(calls)).resolves.toEqual([{ offset: 1 }, 3, { offset: 1 }]);
  });

  it("rejects a call beyond the limit with outbox_full and keeps the queued ones", async () => {
    const client = start({ outbox: { limit: 2 } });
    const first = client.publish("chat:1", "message", 1);
    const second = client.rpc("echo", 2);
    const third = client.publish("chat:1", "message", 3);
    await expect(third).rejects.toBeInstanceOf(ClientError);
    await expect(third).rejects.toMatchObject({ code: "outbox_full" });
    const socket = await connect();
    expect(socket.frames("publish").map((f) => f.data)).toEqual([1]);
    expect(socket.frames("rpc").map((f) => f.data)).toEqual([2]);
    for (const frame of socket.sent) socket.reply(frame.id, "ok");
    await expect(Promise.all([first, second])).resolves.toEqual(["ok", "ok"]);
  });

  it("rejects at once with a limit of 0 while disconnected", async () => {
    const client = start({ outbox: { limit: 0 } });
    await expect(client.rpc("echo", 1)).rejects.toMatchObject({ code: "outbox_full" });
  });

  it("resends an unanswered publish after a reconnect, with the same idempotency key", async () => {
    const client = start();
    const socket = await connect();
    const publish = client.publish("chat:1", "message", { n: 1 });
    const first = socket.frames("publish")[0];
    expect(typeof first?.idempotencyKey).toBe("string");
    const again = await reconnect();
    const resent = again.frames("publish")[0];
    expect(resent).toMatchObject({ data: { n: 1 }, idempotencyKey: first?.idempotencyKey });
    again.reply(resent?.id, { offset: 7 });
    await expect(publish).resolves.toEqual({ offset: 7 });
  });

  it("keeps a given idempotency key", async () => {
    const client = start();
    const socket = await connect();
    client.publish("chat:1", "message", null, { idempotencyKey: "k-1" }).catch(() => {});
    expect(socket.frames("publish")[0]?.idempotencyKey).toBe("k-1");
  });

  it("rejects an unanswered RPC with connection_lost when the link drops", async () => {
    const client = start();
    const socket = await connect();
    const rpc = client.rpc("slow");
    const outcome = expect(rpc).rejects.toMatchObject({ code: "connection_lost" });
    expect(socket.frames("rpc")).toHaveLength(1);
    const again = await reconnect();
    await outcome;
    expect(again.frames("rpc")).toHaveLength(0);
  });

  it("rejects with the server's error", async () => {
    const client = start();
    const socket = await connect();
    const rpc = client.rpc("missing");
    const frame = socket.frames("rpc")[0];
    socket.receive({
      type: "reply",
      id: frame?.id,
      error: { code: "method_not_found", message: "No RPC method 'missing'" },
    });
    await expect(rpc).rejects.toBeInstanceOf(SwitchyardError);
    await expect(rpc).rejects.toMatchObject({ code: "method_not_found" });
  });

  it("resolves an RPC whose reply carries a null result", async () => {
    const client = start();
    const socket = await connect();
    const rpc = client.rpc("fire");
    socket.reply(socket.frames("rpc")[0]?.id, null);
    await expect(rpc).resolves.toBeNull();
  });

  it("refuses a message larger than the server accepts, without sending it", async () => {
    const client = start();
    const socket = await connect({
      limits: { maxMessageBytes: 200, maxSubscriptions: 10, rate: 100, burst: 200 },
    });
    const publish = client.publish("chat:1", "message", { text: "é".repeat(200) });
    await expect(publish).rejects.toMatchObject({ code: "message_too_large" });
    expect(socket.frames("publish")).toHaveLength(0);
    const small = client.publish("chat:1", "message", { text: "ok" });
    socket.reply(socket.frames("publish")[0]?.id);
    await expect(small).resolves.toEqual({});
  });

  it("paces a large outbox to the server's rate limit", async () => {
    const client = start();
    const calls = Array.from({ length: 100 }, (_, n) => client.publish("chat:1", "m", n));
    const socket = await connect({
      limits: { maxMessageBytes: 65_536, maxSubscriptions: 10, rate: 50, burst: 20 },
    });
    // connect() waited 5 s: at 90% of 50/s every call is out by now, none before its turn.
    expect(socket.frames("publish").map((f) => f.data)).toEqual(calls.map((_, n) => n));
    for (const frame of socket.frames("publish")) socket.reply(frame.id);
    await Promise.all(calls);
  });

  it("never sends more than the server's burst at once", async () => {
    const client = start();
    for (let n = 0; n < 100; n++) client.publish("chat:1", "m", n).catch(() => {});
    await flush();
    FakeSocket.last.accept({
      limits: { maxMessageBytes: 65_536, maxSubscriptions: 10, rate: 50, burst: 20 },
    });
    const immediately = FakeSocket.last.frames("publish").length;
    expect(immediately).toBeGreaterThan(0);
    expect(immediately).toBeLessThan(20);
    await vi.advanceTimersByTimeAsync(1_000);
    const afterOneSecond = FakeSocket.last.frames("publish").length;
    expect(afterOneSecond - immediately).toBeLessThanOrEqual(50);
    expect(afterOneSecond).toBeGreaterThan(immediately);
  });
});

describe("timeouts and aborts", () => {
  it("rejects with request_timeout, counting time in the outbox, and ignores a late reply", async () => {
    const client = start({ requestTimeout: 1_000 });
    const rpc = client.rpc("slow");
    const settled = vi.fn();
    rpc.then(settled, settled);
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(rpc).rejects.toMatchObject({ code: "request_timeout" });
    const socket = await connect();
    expect(socket.frames("rpc")).toHaveLength(0); // timed out in the outbox: never sent
    expect(settled).toHaveBeenCalledTimes(1);
  });

  it("settles once when the reply comes after the timeout", async () => {
    const client = start();
    const socket = await connect();
    const rpc = client.rpc("slow", undefined, { timeout: 500 });
    const settled = vi.fn();
    rpc.then(settled, settled);
    await vi.advanceTimersByTimeAsync(500);
    socket.reply(socket.frames("rpc")[0]?.id, "late");
    await flush();
    expect(settled).toHaveBeenCalledTimes(1);
    await expect(rpc).rejects.toMatchObject({ code: "request_timeout" });
  });

  it("settles once when the reply comes before the timeout", async () => {
    const client = start();
    const socket = await connect();
    const rpc = client.rpc("quick", undefined, { timeout: 500 });
    const settled = vi.fn();
    rpc.then(settled, settled);
    socket.reply(socket.frames("rpc")[0]?.id, "fast");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toHaveBeenCalledTimes(1);
    await expect(rpc).resolves.toBe("fast");
  });

  it("rejects with aborted when the signal fires, and drops the queued call", async () => {
    const client = start();
    const controller = new AbortController();
    const rpc = client.rpc("slow", 1, { signal: controller.signal });
    controller.abort(new Error("user left"));
    await expect(rpc).rejects.toMatchObject({ code: "aborted" });
    await expect(rpc).rejects.toHaveProperty("cause.message", "user left");
    const socket = await connect();
    expect(socket.frames("rpc")).toHaveLength(0);
  });

  it("rejects at once with an already aborted signal", async () => {
    const client = start();
    await connect();
    const publish = client.publish("chat:1", "m", 1, { signal: AbortSignal.abort() });
    await expect(publish).rejects.toMatchObject({ code: "aborted" });
    expect(FakeSocket.last.frames("publish")).toHaveLength(0);
  });

  it("an abort after the reply changes nothing", async () => {
    const client = start();
    const socket = await connect();
    const controller = new AbortController();
    const rpc = client.rpc("quick", 1, { signal: controller.signal });
    socket.reply(socket.frames("rpc")[0]?.id, "done");
    await expect(rpc).resolves.toBe("done");
    controller.abort();
    await expect(rpc).resolves.toBe("done");
  });

  it("rejects everything pending with client_closed on close()", async () => {
    const client = start();
    const queued = client.rpc("later");
    await connect();
    const sent = client.rpc("now");
    client.close();
    await expect(queued).rejects.toMatchObject({ code: "client_closed" });
    await expect(sent).rejects.toMatchObject({ code: "client_closed" });
    await expect(client.rpc("after")).rejects.toMatchObject({ code: "client_closed" });
  });
});
