/**
 * What the `ws` adapter relies on when it writes its prebuilt frames straight to the socket
 * under `ws` (ws-transport.ts): with the options the hub gives `ws` (no compression), `ws`
 * writes its own frames — the pong, the close frame — to that socket synchronously, inside
 * the call, so they keep their order with the frames written beside them; and `ws`'s
 * `bufferedAmount` is the socket's. A `ws` release that changes either fails here.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { onCleanup } from "../helpers/fixtures.js";

/** A `ws` server socket as the adapter gets it, with every chunk written to its socket. */
async function serverSide(): Promise<{ ws: WebSocket; socket: Duplex; writes: Buffer[] }> {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    autoPong: false,
  });
  const server = createServer();
  const accepted = new Promise<{ ws: WebSocket; socket: Duplex; writes: Buffer[] }>((resolve) => {
    server.on("upgrade", (request, socket, head) => {
      const writes: Buffer[] = [];
      const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
      socket.write = ((chunk: unknown, ...rest: unknown[]) => {
        writes.push(Buffer.from(chunk as Uint8Array));
        return write(chunk, ...rest);
      }) as typeof socket.write;
      wss.handleUpgrade(request, socket, head, (ws) => resolve({ ws, socket, writes }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  client.on("error", () => {});
  onCleanup(async () => {
    client.terminate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  await once(client, "open");
  return accepted;
}

/** The opcode of a frame written by the server (low nibble of its first byte). */
const opcodeOf = (frame: Buffer) => (frame[0] ?? 0) & 0x0f;
const joined = (chunks: Buffer[]) => Buffer.concat(chunks);

/** The opcodes of the small frames (payload under 126 bytes) in `bytes`, in order. */
function opcodesOf(bytes: Buffer): number[] {
  const opcodes: number[] = [];
  for (let at = 0; at < bytes.length; at += 2 + ((bytes[at + 1] ?? 0) & 0x7f)) {
    opcodes.push((bytes[at] ?? 0) & 0x0f);
  }
  return opcodes;
}

describe("ws, as the adapter uses it", () => {
  it("writes a pong to the socket within the call", async () => {
    const { ws, writes } = await serverSide();
    const before = writes.length;
    ws.pong(Buffer.from("sync"));
    const written = joined(writes.slice(before));
    expect(opcodeOf(written)).toBe(0xa);
    expect(written.subarray(2).toString()).toBe("sync");
  });

  it("writes the close frame to the socket within the call", async () => {
    const { ws, writes } = await serverSide();
    const before = writes.length;
    ws.close(4201, "slow");
    const written = joined(writes.slice(before));
    expect(opcodeOf(written)).toBe(0x8);
    expect(written.readUInt16BE(2)).toBe(4201);
  });

  it("keeps a frame written beside it in call order", async () => {
    const { ws, socket, writes } = await serverSide();
    const before = writes.length;
    socket.write(Buffer.from([0x81, 0x01, 0x61])); // a text frame "a", as the adapter writes
    ws.pong(Buffer.from("p"));
    socket.write(Buffer.from([0x81, 0x01, 0x62]));
    expect(opcodesOf(joined(writes.slice(before)))).toEqual([0x1, 0xa, 0x1]);
  });

  it("reports the socket's buffered bytes as its bufferedAmount", async () => {
    const { ws, socket } = await serverSide();
    socket.cork();
    socket.write(Buffer.alloc(1_000));
    expect(ws.bufferedAmount).toBe(socket.writableLength);
    expect(ws.bufferedAmount).toBeGreaterThanOrEqual(1_000);
    socket.uncork();
  });
});
