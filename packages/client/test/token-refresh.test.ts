import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { expect, it, vi } from "vitest";
import { FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const { start } = useFakeSockets();

it("refreshBeforeExpiry: false sends no early refresh; the reconnect after expiry gets a token", async () => {
  let n = 0;
  const getToken = vi.fn(async () => `token-${++n}`);
  start({
    getToken,
    refreshBeforeExpiry: false,
    heartbeat: { watch: false },
  });
  await flush();
  const socket = FakeSocket.last;
  socket.accept({ expiresAt: Date.now() + 60_000 });
  await vi.advanceTimersByTimeAsync(60_000);
  expect(socket.frames("refresh")).toHaveLength(0);
  socket.serverClose(closeCodeOf("token_expired")!);
  await flush();
  FakeSocket.last.open();
  expect(FakeSocket.last.frames("connect")[0]?.token).toBe("token-2");
});

it("reports user_mismatch when a refreshed token names another user, and reconnects with it", async () => {
  const users = ["ada", "bob", "bob"];
  const getToken = vi.fn(async () => `token-of-${users.shift()}`);
  const client = start({
    getToken,
    refreshBeforeExpiry: 10_000,
    heartbeat: { watch: false },
  });
  const errors: SwitchyardError[] = [];
  client.on("error", (error) => errors.push(error));
  await flush();
  const first = FakeSocket.last;
  first.accept({ userId: "ada", expiresAt: Date.now() + 60_000 });
  await vi.advanceTimersByTimeAsync(50_000);
  const refresh = first.frames("refresh")[0];
  expect(refresh).toMatchObject({ token: "token-of-bob" });
  first.receive({
    type: "reply",
    id: refresh?.id,
    error: { code: "user_mismatch", message: "The new token belongs to another user" },
  });
  await flush(); // a stable link: the new user connects at once

  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(SwitchyardError);
  expect(errors[0]).toMatchObject({ code: "user_mismatch" });
  const state = client.connection.getSnapshot();
  expect(state).toMatchObject({ status: "reconnecting", reason: "user_mismatch", info: null });
  expect(state.error).toBe(errors[0]);
  expect(first.readyState).toBe(3); // the link of the old user is gone
  const second = FakeSocket.last;
  expect(second).not.toBe(first);
  second.accept({ userId: "bob" });
  expect(second.frames("connect")[0]?.token).toBe("token-of-bob");
  expect(client.connection.getSnapshot()).toMatchObject({
    status: "connected",
    info: { userId: "bob" },
  });
});

it("reports any other refused refresh on the error event and keeps the link", async () => {
  let n = 0;
  const client = start({
    getToken: async () => `token-${++n}`,
    refreshBeforeExpiry: 10_000,
    heartbeat: { watch: false },
  });
  const errors: SwitchyardError[] = [];
  client.on("error", (error) => errors.push(error));
  await flush();
  const socket = FakeSocket.last;
  socket.accept({ userId: "ada", expiresAt: Date.now() + 60_000 });
  await vi.advanceTimersByTimeAsync(50_000);
  const refresh = socket.frames("refresh")[0];
  socket.receive({
    type: "reply",
    id: refresh?.id,
    error: { code: "token_invalid", message: "The token is not valid" },
  });
  await flush();
  expect(errors.map((error) => error.code)).toEqual(["token_invalid"]);
  expect(client.connection.getSnapshot()).toMatchObject({ status: "connected", error: null });
  expect(FakeSocket.instances).toHaveLength(1);
});
