/**
 * The HubSocket contract, on both transports: messages, ping/pong, the closing handshake in
 * both directions, protocol errors, and the close code each case reports to the hub. A raw
 * TCP client plays the peer, so every byte and the order of the TCP shutdown are visible.
 */
import { describe, expect, it } from "vitest";
import { OutboundMessage } from "../../src/transport/outbound-message.js";
import { clientClose, clientFrame, OPCODE } from "../helpers/client-frames.js";
import { closeOf, RawSocket, upgradeRequest } from "../helpers/raw-socket.js";
import { startTransport, TRANSPORTS } from "../helpers/transport.js";

const message = (text: string) => new OutboundMessage(Buffer.from(text), false);

describe.each(TRANSPORTS)("the %s transport", (kind) => {
  /** A transport and one open connection to it. */
  async function connection(options: Parameters<typeof startTransport>[1] = {}) {
    const fixture = await startTransport(kind, options);
    const peer = await RawSocket.upgrade(fixture.port);
    const accepted = await fixture.nextSocket();
    return { ...fixture, peer, accepted };
  }

  describe("messages", () => {
    it("hands text and binary messages to the handler and sends the hub's frames", async () => {
      const { peer, accepted } = await connection();
      peer.send(clientFrame(OPCODE.text, "hello"));
      peer.send(clientFrame(OPCODE.binary, "bytes"));
      peer.send(clientFrame(OPCODE.text, "frag", { fin: false }));
      peer.send(clientFrame(OPCODE.continuation, "mented"));
      accepted.socket.send(message("back"));
      const frame = await peer.nextFrame();
      expect(frame).toMatchObject({ opcode: OPCODE.text, fin: true, masked: false });
      expect(frame.payload.toString()).toBe("back");
      // A pong comes after the messages before it were handled.
      peer.send(clientFrame(OPCODE.ping, "sync"));
      await peer.nextFrame();
      expect(accepted.messages).toEqual([
        { data: "hello", binary: false },
        { data: "bytes", binary: true },
        { data: "fragmented", binary: false },
      ]);
    });

    it("reads a first frame that came in the same packet as the handshake", async () => {
      const fixture = await startTransport(kind);
      const packet = Buffer.concat([
        Buffer.from(upgradeRequest()),
        clientFrame(OPCODE.text, "early"),
        clientFrame(OPCODE.ping, "sync"),
      ]);
      const peer = await RawSocket.open(fixture.port, packet);
      const accepted = await fixture.nextSocket();
      expect((await peer.nextFrame()).opcode).toBe(OPCODE.pong);
      expect(accepted.messages).toEqual([{ data: "early", binary: false }]);
    });

    it("answers a ping with a pong carrying the same payload, and ignores pongs", async () => {
      const { peer } = await connection();
      peer.send(clientFrame(OPCODE.pong, "unsolicited"));
      peer.send(clientFrame(OPCODE.ping, "are you there"));
      const pong = await peer.nextFrame();
      expect(pong).toMatchObject({ opcode: OPCODE.pong, fin: true, masked: false });
      expect(pong.payload.toString()).toBe("are you there");
    });

    it("asks the handler before each pong, and sends none when it says no", async () => {
      const { peer, accepted } = await connection();
      accepted.answerPing = (bytes) => bytes !== "refused".length;
      peer.send(clientFrame(OPCODE.ping, "refused"));
      peer.send(clientFrame(OPCODE.text, "between"));
      peer.send(clientFrame(OPCODE.ping, "answered"));
      const pong = await peer.nextFrame();
      expect(pong.payload.toString()).toBe("answered");
      expect(accepted.pings).toEqual(["refused".length, "answered".length]);
      expect(accepted.messages).toEqual([{ data: "between", binary: false }]);
    });

    it("reports the bytes handed to the socket and not yet written as bufferedAmount", async () => {
      const { peer, accepted } = await connection();
      expect(accepted.socket.bufferedAmount).toBe(0);
      // A peer that reads nothing, and a write far larger than the kernel's socket buffers.
      peer.socket.pause();
      accepted.socket.send(new OutboundMessage(Buffer.alloc(16 * 1024 * 1024), true));
      expect(accepted.socket.bufferedAmount).toBeGreaterThan(0);
    });
  });

  describe("a close started by the server", () => {
    it("sends the close frame, ends TCP after the peer's answer and reports the code once", async () => {
      const { peer, accepted } = await connection();
      accepted.socket.close(4000, "bye");
      const frame = await peer.nextFrame();
      expect(frame.opcode).toBe(OPCODE.close);
      expect(closeOf(frame)).toEqual({ code: 4000, reason: "bye" });
      expect(peer.ended).toBe(false);

      peer.send(clientClose(4000, "bye"));
      // The server closes TCP first (RFC 6455 §7.1.1).
      await peer.serverEnded();
      peer.socket.end();
      expect(await accepted.closed).toBe(4000);
      await peer.gone();
      expect(accepted.closedCodes).toEqual([4000]);
      expect(peer.frames).toHaveLength(1);
    });

    it("reports the code of the peer's answer", async () => {
      const { peer, accepted } = await connection();
      accepted.socket.close(4200, "restarting");
      await peer.nextFrame();
      peer.send(clientClose(1001, "going away"));
      await peer.serverEnded();
      peer.socket.end();
      expect(await accepted.closed).toBe(1001);
    });

    it("sends no message and no pong after its close frame", async () => {
      const { peer, accepted } = await connection();
      accepted.socket.close(1000, "");
      accepted.socket.send(message("too late"));
      peer.send(clientFrame(OPCODE.ping, "too late"));
      peer.send(clientClose(1000));
      await peer.serverEnded();
      expect(peer.frames.map((frame) => frame.opcode)).toEqual([OPCODE.close]);
    });

    it("destroys the socket when the peer never answers, after closeTimeout", async () => {
      const { peer, accepted } = await connection({ closeTimeout: 50 });
      accepted.socket.close(4000, "bye");
      expect((await peer.nextFrame()).opcode).toBe(OPCODE.close);
      expect(peer.closed).toBe(false);
      await peer.gone();
      expect(await accepted.closed).toBe(1006);
      expect(accepted.closedCodes).toEqual([1006]);
    });
  });

  describe("a close started by the peer", () => {
    it("is echoed with its code and reason, then the server ends TCP", async () => {
      const { peer, accepted } = await connection();
      peer.send(clientClose(1000, "done"));
      const echo = await peer.nextFrame();
      expect(echo.opcode).toBe(OPCODE.close);
      expect(closeOf(echo)).toEqual({ code: 1000, reason: "done" });
      await peer.serverEnded();
      peer.socket.end();
      expect(await accepted.closed).toBe(1000);
      await peer.gone();
      expect(accepted.closedCodes).toEqual([1000]);
    });

    it("without a code is answered with an empty close frame and reported as 1005", async () => {
      const { peer, accepted } = await connection();
      peer.send(clientFrame(OPCODE.close));
      const echo = await peer.nextFrame();
      expect(echo.opcode).toBe(OPCODE.close);
      expect(echo.payload).toHaveLength(0);
      await peer.serverEnded();
      peer.socket.end();
      expect(await accepted.closed).toBe(1005);
    });

    it("stops the server's messages once it arrived", async () => {
      const { peer, accepted } = await connection();
      peer.send(clientClose(1000));
      await peer.nextFrame();
      accepted.socket.send(message("too late"));
      await peer.serverEnded();
      expect(peer.frames).toHaveLength(1);
    });
  });

  describe("a connection that goes away", () => {
    it("reports 1006 when TCP drops without a close frame", async () => {
      const { peer, accepted } = await connection();
      peer.socket.destroy();
      expect(await accepted.closed).toBe(1006);
      expect(accepted.closedCodes).toEqual([1006]);
    });

    it("ends its side when the peer ends TCP without a close frame, and reports 1006", async () => {
      const { peer, accepted } = await connection();
      peer.socket.end();
      await peer.serverEnded();
      expect(await accepted.closed).toBe(1006);
    });

    it("is destroyed at once by terminate(), reported as 1006", async () => {
      const { peer, accepted } = await connection();
      accepted.socket.terminate();
      await peer.gone();
      expect(peer.frames).toEqual([]);
      expect(await accepted.closed).toBe(1006);
    });
  });

  describe("protocol errors", () => {
    /** Sends `bytes`, expects a close frame with `code` and the server ending TCP. */
    async function expectFailure(bytes: Buffer, code: number, maxPayload?: number) {
      const { peer, accepted, errors } = await connection(maxPayload ? { maxPayload } : {});
      peer.send(bytes);
      peer.send(clientFrame(OPCODE.text, "never read"));
      const frame = await peer.nextFrame();
      expect(frame.opcode).toBe(OPCODE.close);
      expect(closeOf(frame).code).toBe(code);
      await peer.serverEnded();
      peer.socket.end();
      // No close frame was read from the peer: the connection failed (as `ws` reports it).
      expect(await accepted.closed).toBe(1006);
      expect(accepted.messages).toEqual([]);
      expect(errors).toHaveLength(1);
    }

    it("closes with 1002 on an unmasked frame", async () => {
      await expectFailure(clientFrame(OPCODE.text, "plain", { masked: false }), 1002);
    });

    it("closes with 1002 on an invalid close code", async () => {
      await expectFailure(clientClose(1006), 1002);
    });

    it("closes with 1007 on text that is not UTF-8", async () => {
      await expectFailure(clientFrame(OPCODE.text, Buffer.from([0xc3, 0x28])), 1007);
    });

    it("closes with 1009 on a message over maxPayload", async () => {
      await expectFailure(clientFrame(OPCODE.binary, Buffer.alloc(65)), 1009, 64);
    });
  });
});
