import { closeCodeOf } from "@switchyard/protocol";
import { expect, it, vi } from "vitest";
import { createClient } from "../src/index.js";
import { FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const clients = useFakeSockets();

it("refreshBeforeExpiry: false sends no early refresh; the reconnect after expiry gets a token", async () => {
  let n = 0;
  const getToken = vi.fn(async () => `token-${++n}`);
  const client = createClient({
    url: "ws://hub.test/ws",
    WebSocket: FakeSocket,
    getToken,
    refreshBeforeExpiry: false,
    heartbeat: { watch: false },
  });
  clients.push(client);
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
