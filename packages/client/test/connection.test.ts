import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ClientOptions, type ConnectionState, SDK_NAME } from "../src/index.js";
import { FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const sockets = useFakeSockets();

function start(options: Partial<ClientOptions> = {}) {
  const client = sockets.start(options);
  const states: ConnectionState[] = [];
  client.connection.subscribe(() => states.push(client.connection.getSnapshot()));
  return { client, states };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("connect data and sdk", () => {
  it("names the SDK with the package's version", async () => {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(SDK_NAME).toBe(`@switchyard/client@${pkg.version}`);
  });

  it("sends connectData, calling a function before every attempt", async () => {
    let calls = 0;
    start({ connectData: () => ({ attempt: ++calls }) });
    await flush();
    const first = FakeSocket.last;
    first.open();
    expect(first.frames("connect")[0]).toMatchObject({ data: { attempt: 1 }, sdk: SDK_NAME });
    first.serverClose(1006);
    await vi.waitFor(() => expect(FakeSocket.last).not.toBe(first), { timeout: 3_000 });
    await flush();
    FakeSocket.last.open();
    expect(FakeSocket.last.frames("connect")[0]).toMatchObject({ data: { attempt: 2 } });
  });

  it("sends fixed connectData as is, and none when absent", async () => {
    start({ connectData: { room: 7 } });
    await flush();
    FakeSocket.last.open();
    expect(FakeSocket.last.frames("connect")[0]).toMatchObject({ data: { room: 7 } });
    start();
    await flush();
    FakeSocket.last.open();
    expect(FakeSocket.last.frames("connect")[0]).not.toHaveProperty("data");
  });
});

describe("connection lifecycle", () => {
  it("connects with the subprotocol, session id and token, and reports each transition", async () => {
    const { client, states } = start({ token: "t0k", sessionId: "s-1" });
    await flush();
    const socket = FakeSocket.last;
    expect(socket.protocols).toEqual(["switchyard.v1.json"]);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "connecting",
      reason: "connect",
    });
    socket.open();
    expect(socket.frames("connect")).toEqual([
      { type: "connect", id: 0, sdk: SDK_NAME, sessionId: "s-1", token: "t0k" },
    ]);
    const info = socket.accept();
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "connected",
      reason: "connected",
      info,
    });
    socket.serverClose(1006);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "network",
      closeCode: 1006,
      info: null,
    });
    client.close();
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "closed",
      reason: "closed_by_client",
    });
    expect(states.map((s) => s.status)).toContain("connected");
    for (const state of states) expect(state.reason).toBeTruthy();
  });

  it("does not connect before connect() when autoConnect is false", async () => {
    const { client } = start({ autoConnect: false });
    await flush();
    expect(FakeSocket.instances).toHaveLength(0);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "idle",
    });
    client.connect();
    await flush();
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("retries at once when a stable link drops, then backs off with jitter", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(5_000); // stable: the backoff resets
    FakeSocket.last.serverClose(1006);
    expect(client.connection.getSnapshot()).toMatchObject({ attempt: 0, retryAt: Date.now() });
    await flush();
    expect(FakeSocket.instances).toHaveLength(2); // immediate

    FakeSocket.last.serverClose(1006); // fails before connecting: 0.5 * 1 s
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 500);
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(3);

    FakeSocket.last.serverClose(1006); // 0.5 * 2 s
    expect(client.connection.getSnapshot()).toMatchObject({ attempt: 2, status: "reconnecting" });
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 1000);
  });

  it("counts failed attempts since the last stable link in attempt: 0 after a clean connect", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { client, states } = start();
    await flush();
    expect(client.connection.getSnapshot()).toMatchObject({ status: "connecting", attempt: 0 });
    FakeSocket.last.accept();
    expect(client.connection.getSnapshot()).toMatchObject({ status: "connected", attempt: 0 });
    expect(states.map((state) => state.attempt)).toEqual(states.map(() => 0));

    FakeSocket.last.serverClose(1006); // up for less than resetAfter: a failure
    expect(client.connection.getSnapshot()).toMatchObject({ status: "reconnecting", attempt: 1 });
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.serverClose(1006); // refused before the connect reply
    expect(client.connection.getSnapshot()).toMatchObject({ attempt: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    FakeSocket.last.accept();
    // Connected, but not yet stable: the failures still count.
    expect(client.connection.getSnapshot()).toMatchObject({ status: "connected", attempt: 2 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.connection.getSnapshot().attempt).toBe(0);
  });

  it("counts the first refused attempt as attempt 1", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { client } = start();
    await flush();
    FakeSocket.last.serverClose(1006);
    expect(client.connection.getSnapshot()).toMatchObject({ status: "connecting", attempt: 1 });
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 500);
  });

  it("applies one rule to token_expired: at once after a stable link, backed off after a short one", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    let n = 0;
    const { client } = start({ getToken: async () => `token-${++n}` });
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.last.serverClose(closeCodeOf("token_expired")!);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "token_expired",
      attempt: 0,
      retryAt: Date.now(),
    });
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(1_000); // a token that lived 1 s: not a stable link
    FakeSocket.last.serverClose(closeCodeOf("token_expired")!);
    expect(client.connection.getSnapshot()).toMatchObject({ reason: "token_expired", attempt: 1 });
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 500);
  });

  it("does not retry at once when the link dropped before it was stable", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.last.serverClose(closeCodeOf("slow_consumer")!); // reconnect now
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(1_000); // up for 1 s only
    FakeSocket.last.serverClose(closeCodeOf("slow_consumer")!);
    expect(client.connection.getSnapshot()).toMatchObject({ reason: "slow_consumer" });
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 500);
  });

  it("backs off on the slow tier after rate_limited and too_many_connections", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.last.serverClose(closeCodeOf("rate_limited")!);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "rate_limited",
      closeCode: closeCodeOf("rate_limited"),
    });
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 2_500);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.serverClose(closeCodeOf("too_many_connections")!);
    expect(client.connection.getSnapshot().reason).toBe("too_many_connections");
    expect(client.connection.getSnapshot().retryAt).toBe(Date.now() + 5_000);
  });

  it("stops on terminal codes and rejects waiting calls with the server's error", async () => {
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.last.serverClose(1006);
    const publish = client.publish("chat:1", "message", { text: "hi" });
    await flush();
    FakeSocket.last.open();
    FakeSocket.last.receive({
      type: "reply",
      id: 0,
      error: { code: "token_invalid", message: "bad token" },
    });
    await expect(publish).rejects.toMatchObject({ code: "token_invalid" });
    await expect(publish).rejects.toBeInstanceOf(SwitchyardError);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "token_invalid",
    });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("treats a terminal close code like a refused connect", async () => {
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    const code = closeCodeOf("disconnected")!;
    FakeSocket.last.serverClose(code);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "disconnected",
      closeCode: code,
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    client.connect(); // the application may try again
    await flush();
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("awaits getToken on every attempt and reconnects with a fresh token after token_expired", async () => {
    let n = 0;
    const getToken = vi.fn(async () => `token-${++n}`);
    start({ getToken });
    await flush();
    FakeSocket.last.accept();
    expect(FakeSocket.last.frames("connect")[0]?.token).toBe("token-1");
    await vi.advanceTimersByTimeAsync(5_000);
    FakeSocket.last.serverClose(closeCodeOf("token_expired")!);
    await flush();
    FakeSocket.last.open();
    expect(FakeSocket.last.frames("connect")[0]?.token).toBe("token-2");
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it("stops with an error saying what to do when a fixed token expires while connected", async () => {
    const { client } = start({ token: "fixed" });
    await flush();
    FakeSocket.last.accept();
    const publish = client.publish("chat:1", "message", "sent before the expiry");
    const outcome = publish.catch((error: unknown) => error);
    FakeSocket.last.serverClose(closeCodeOf("token_expired")!, "The token has expired");
    await flush();
    const state = client.connection.getSnapshot();
    expect(state).toMatchObject({
      status: "disconnected",
      reason: "token_expired",
      closeCode: closeCodeOf("token_expired"),
      retryAt: null,
    });
    expect(state.error).toBeInstanceOf(SwitchyardError);
    expect(state.error).toMatchObject({ code: "token_expired" });
    expect(state.error?.message).toMatch(/getToken/);
    expect(await outcome).toBe(state.error);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("stops with the same error when a fixed token is refused as expired on connect", async () => {
    const { client } = start({ token: "fixed" });
    await flush();
    FakeSocket.last.open();
    FakeSocket.last.receive({
      type: "reply",
      id: 0,
      error: { code: "token_expired", message: "The token has expired" },
    });
    const state = client.connection.getSnapshot();
    expect(state).toMatchObject({ status: "disconnected", reason: "token_expired" });
    expect(state.error).toMatchObject({ code: "token_expired" });
    expect(state.error?.message).toMatch(/getToken/);
  });

  it("puts the hub's error behind every close with one of its codes in the store", async () => {
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(closeCodeOf("slow_consumer")!, "Read faster");
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "slow_consumer",
    });
    expect(client.connection.getSnapshot().error).toBeInstanceOf(SwitchyardError);
    expect(client.connection.getSnapshot().error).toMatchObject({
      code: "slow_consumer",
      message: "Read faster",
    });
    await vi.advanceTimersByTimeAsync(1_000);
    FakeSocket.last.accept();
    expect(client.connection.getSnapshot().error).toBeNull();
    FakeSocket.last.serverClose(closeCodeOf("disconnected")!);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "disconnected",
    });
    expect(client.connection.getSnapshot().error).toMatchObject({
      code: "disconnected",
      message: "Disconnected by the server",
    });
  });

  it("sends a fresh token from getToken before the current one expires", async () => {
    let n = 0;
    const getToken = vi.fn(async () => `token-${++n}`);
    start({ getToken, refreshBeforeExpiry: 10_000, heartbeat: { watch: false } });
    await flush();
    const socket = FakeSocket.last;
    socket.accept({ expiresAt: Date.now() + 60_000 });
    await vi.advanceTimersByTimeAsync(49_999);
    expect(socket.frames("refresh")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const refresh = socket.frames("refresh")[0];
    expect(refresh).toMatchObject({ type: "refresh", token: "token-2" });
    socket.reply(refresh?.id, { expiresAt: Date.now() + 60_000 });
    await vi.advanceTimersByTimeAsync(50_000);
    expect(socket.frames("refresh").map((frame) => frame.token)).toEqual(["token-2", "token-3"]);
  });

  it("retries with backoff when getToken throws", async () => {
    // Full jitter may draw a delay under a millisecond; pin it mid-range for a stable check.
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const getToken = vi.fn().mockRejectedValueOnce(new Error("offline")).mockResolvedValue("t");
    const { client } = start({ getToken });
    await flush();
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "connecting",
      reason: "token_error",
    });
    expect(FakeSocket.instances).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("gives up an attempt after the connect timeout", async () => {
    const { client } = start({ connectTimeout: 3_000 });
    await flush();
    const socket = FakeSocket.last;
    socket.open(); // but the server never answers the connect frame
    await vi.advanceTimersByTimeAsync(2_999);
    expect(client.connection.getSnapshot().status).toBe("connecting");
    await vi.advanceTimersByTimeAsync(1);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "connecting",
      reason: "connect_timeout",
    });
    expect(socket.terminated).toBe(true);
  });

  it("applies a 10 s connect timeout by default", async () => {
    const { client } = start();
    await flush();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(client.connection.getSnapshot().reason).toBe("connect");
    await vi.advanceTimersByTimeAsync(1);
    expect(client.connection.getSnapshot().reason).toBe("connect_timeout");
  });

  it("disconnect() keeps subscriptions and the outbox for connect()", async () => {
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    client.disconnect();
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "closed_by_client",
    });
    expect(FakeSocket.last.closedWith).toBe(1000);
    const rpc = client.rpc("math.add", { a: 1 });
    client.connect();
    await flush();
    FakeSocket.last.accept();
    const frame = FakeSocket.last.frames("rpc")[0];
    FakeSocket.last.reply(frame?.id, 42);
    await expect(rpc).resolves.toBe(42);
  });

  it("does not reconnect when reconnect is false", async () => {
    const { client } = start({ reconnect: false });
    await flush();
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(1006);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "disconnected",
      reason: "network",
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});

describe("keep-alive", () => {
  it("answers server pings and stays up while they arrive", async () => {
    const { client } = start();
    await flush();
    const socket = FakeSocket.last;
    socket.accept({ heartbeat: { interval: 1_000, timeout: 500 } });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      socket.receive({ type: "ping" });
    }
    expect(socket.frames("pong")).toHaveLength(10);
    expect(client.connection.getSnapshot().status).toBe("connected");
  });

  it("declares the link dead after interval + timeout of silence", async () => {
    const { client } = start();
    await flush();
    const socket = FakeSocket.last;
    socket.accept({ heartbeat: { interval: 1_000, timeout: 500 } });
    await vi.advanceTimersByTimeAsync(1_000);
    socket.receive({ type: "ping" });
    await vi.advanceTimersByTimeAsync(1_499);
    expect(client.connection.getSnapshot().status).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "heartbeat_timeout",
    });
    expect(socket.terminated).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000); // the link was not stable: within 1 s
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("uses 25 s + 10 s when the server announces the defaults", async () => {
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    await vi.advanceTimersByTimeAsync(34_999);
    expect(client.connection.getSnapshot().status).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(client.connection.getSnapshot().reason).toBe("heartbeat_timeout");
  });

  it("can leave dead-link detection off", async () => {
    const { client } = start({ heartbeat: { watch: false } });
    await flush();
    FakeSocket.last.accept({ heartbeat: { interval: 1_000, timeout: 500 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.connection.getSnapshot().status).toBe("connected");
  });
});

describe("browser signals", () => {
  const globals = globalThis as { window?: EventTarget; document?: unknown };

  afterEach(() => {
    delete globals.window;
    delete globals.document;
  });

  it("retries at once when the browser comes back online", async () => {
    globals.window = new EventTarget();
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const { client } = start();
    await flush();
    FakeSocket.last.serverClose(1006); // first attempt failed: waits ~1 s
    expect(FakeSocket.instances).toHaveLength(1);
    globals.window.dispatchEvent(new Event("online"));
    await flush();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.connection.getSnapshot().reason).toBe("online");
  });

  it("probes the link when the page becomes visible and reconnects when the probe fails", async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
    globals.document = doc;
    const { client } = start({ heartbeat: { probeTimeout: 2_000 } });
    await flush();
    const socket = FakeSocket.last;
    socket.accept();
    doc.dispatchEvent(new Event("visibilitychange"));
    const probe = socket.frames("ping")[0];
    expect(probe).toMatchObject({ type: "ping" });
    socket.reply(probe?.id);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.connection.getSnapshot().status).toBe("connected");

    doc.dispatchEvent(new Event("visibilitychange"));
    expect(socket.frames("ping")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.connection.getSnapshot()).toMatchObject({
      status: "reconnecting",
      reason: "probe_timeout",
    });
  });

  it("retries at once when the page becomes visible while waiting", async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
    globals.document = doc;
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const { client } = start();
    await flush();
    FakeSocket.last.serverClose(1006);
    doc.dispatchEvent(new Event("visibilitychange"));
    await flush();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.connection.getSnapshot().reason).toBe("visible");
  });

  it("keeps a slow-tier wait when the browser comes back online", async () => {
    globals.window = new EventTarget();
    const { client } = start();
    await flush();
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(closeCodeOf("too_many_connections")!);
    globals.window.dispatchEvent(new Event("online"));
    await flush();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.connection.getSnapshot().reason).toBe("too_many_connections");
  });

  it("removes its listeners on close", async () => {
    const window = new EventTarget();
    globals.window = window;
    const { client } = start();
    await flush();
    FakeSocket.last.serverClose(1006);
    client.close();
    window.dispatchEvent(new Event("online"));
    await flush();
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
