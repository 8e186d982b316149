import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type Codec, codecForSubprotocol, jsonCodec, SwitchyardError } from "@switchyard/protocol";
import { WebSocket, WebSocketServer } from "ws";
import type { OutboundMessage } from "../outbound.js";
import type { HubSocket, SocketHandler } from "./socket.js";

/** What the transport learned from the upgrade request. */
export interface UpgradeInfo {
  request: IncomingMessage;
  codec: Codec;
  ip: string;
}

export interface WsTransportOptions {
  /** Hard ceiling of one inbound message; larger ones close the socket with 1009. */
  maxPayload: number;
  /** Refuses an upgrade before the handshake (origin, draining); null lets it through. */
  check(request: IncomingMessage): SwitchyardError | null;
  /** Called for every accepted socket; returns the handler of its messages and close. */
  accept(socket: HubSocket, info: UpgradeInfo): SocketHandler;
  onError(error: unknown): void;
}

/**
 * The `ws` adapter of {@link HubSocket}. `ws` does the handshake, reads and answers control
 * frames and closes; our messages are written as prebuilt frames straight to the socket `ws`
 * writes to, so one frame buffer serves every subscriber. `ws` writes synchronously too (no
 * compression, no Blobs), so our frames and its pongs and close frame keep their order.
 */
class WsSocket implements HubSocket {
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
  ) {}

  send(message: OutboundMessage, onWritten?: () => void): void {
    // After a close frame (ours or the peer's) the protocol allows no more data frames.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (onWritten === undefined) this.socket.write(message.framed());
    else this.socket.write(message.framed(), onWritten);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
}

/** Picks our codec from the offered subprotocols; none offered means JSON. */
function chooseCodec(header: string | undefined): Codec | undefined {
  if (!header) return jsonCodec;
  for (const offered of header.split(",")) {
    const codec = codecForSubprotocol(offered.trim());
    if (codec) return codec;
  }
  return undefined;
}

/** Answers a refused upgrade with an HTTP error and the JSON error body. */
function refuse(socket: Duplex, error: SwitchyardError): void {
  const body = JSON.stringify({ error: error.toPayload() });
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\n` +
      "Connection: close\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Accepts WebSocket upgrades with `ws` in `noServer` mode and hands sockets to the hub. */
export class WsTransport {
  private readonly server: WebSocketServer;

  constructor(private readonly options: WsTransportOptions) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => {
        for (const offered of protocols) if (codecForSubprotocol(offered)) return offered;
        return false;
      },
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", this.options.onError);
    const refused = this.options.check(request);
    if (refused) {
      refuse(socket, refused);
      return;
    }
    const codec = chooseCodec(request.headers["sec-websocket-protocol"]);
    if (!codec) {
      refuse(
        socket,
        new SwitchyardError(
          "unsupported_protocol",
          "Offer one of the subprotocols switchyard.v1.json, switchyard.v1.msgpack",
        ),
      );
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      const handler = this.options.accept(new WsSocket(ws, socket), {
        request,
        codec,
        ip: request.socket.remoteAddress ?? "unknown",
      });
      listen(ws, handler, this.options.onError);
    });
  }
}

/**
 * Routes the events of `ws` to `handler`. A function of its own so that the listeners, which
 * live as long as the socket, do not keep the upgrade request (headers and all) alive.
 */
function listen(ws: WebSocket, handler: SocketHandler, onError: (error: unknown) => void): void {
  ws.on("message", (data, binary) => handler.message(data as Buffer, binary));
  ws.on("close", (code) => handler.closed(code));
  ws.on("error", onError);
}
