import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { codecForSubprotocol, SwitchyardError } from "@switchyard/protocol";
import { WebSocket, WebSocketServer } from "ws";
import type { OutboundMessage } from "./outbound-message.js";
import type { HubSocket, SocketHandler } from "./socket.js";
import {
  admit,
  DEFAULT_CLOSE_TIMEOUT,
  refuse,
  type Transport,
  type TransportOptions,
} from "./upgrade.js";

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

/** Accepts WebSocket upgrades with `ws` in `noServer` mode and hands sockets to the hub. */
export class WsTransport implements Transport {
  private readonly server: WebSocketServer;

  constructor(private readonly options: TransportOptions) {
    // A variable, not a literal: `closeTimeout` is in ws 8.23 but not in @types/ws yet.
    // Pings are answered by `listen` below, when the hub's handler allows it.
    const serverOptions = {
      autoPong: false,
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      handleProtocols: (protocols: Set<string>) => {
        for (const offered of protocols) if (codecForSubprotocol(offered)) return offered;
        return false;
      },
    };
    this.server = new WebSocketServer(serverOptions);
    // `admit` refuses every handshake `ws` would refuse, so this runs only if a later `ws`
    // checks more: its refusal then still carries a code and the JSON body, not `ws`'s text.
    this.server.on("wsClientError", (error, socket) => {
      refuse(socket, new SwitchyardError("invalid_upgrade", error.message));
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", this.options.onError);
    const codec = admit(this.options, request, socket);
    if (!codec) return;
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
  ws.on("ping", (data) => {
    if (handler.ping(data.length)) ws.pong(data);
  });
  ws.on("close", (code) => handler.closed(code));
  ws.on("error", onError);
}
