import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { codecForSubprotocol, SwitchyardError } from "@switchyard/protocol";
import { WebSocket, WebSocketServer } from "ws";
import {
  armCloseTimer,
  type ClosingSocket,
  closeReasonBytes,
  DEFAULT_CLOSE_TIMEOUT,
} from "./close-grace.js";
import { frameMessage } from "./frame.js";
import type { OutboundMessage } from "./outbound-message.js";
import type {
  HubSocket,
  SocketHandler,
  Transport,
  TransportHost,
  TransportOptions,
} from "./socket.js";
import { admit, refuse } from "./upgrade.js";

/**
 * The `ws` adapter of {@link HubSocket}. `ws` does the handshake, reads and answers control
 * frames and closes. Our messages take a shorter way than `ws.send`: each is framed once, as
 * the builtin transport does, and the frame is written straight to the socket `ws` writes to,
 * so one buffer serves every subscriber instead of `ws` framing the payload again for each.
 * This relies on `ws` writing its own frames (pongs, the close frame) synchronously, in call
 * order, when it neither compresses nor sends Blobs — true of the options used here, and
 * pinned by a test (ws-ordering.test.ts) so that a `ws` release that changes it fails CI.
 */
class WsSocket implements HubSocket, ClosingSocket {
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    private readonly closeTimeout: number,
  ) {}

  send(message: OutboundMessage, onWritten?: () => void): void {
    // After a close frame (ours or the peer's) the protocol allows no more data frames.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    message.wire ??= frameMessage(message.payload, message.binary);
    if (onWritten === undefined) this.socket.write(message.wire);
    else this.socket.write(message.wire, onWritten);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.close(code, closeReasonBytes(reason));
    armCloseTimer(this, this.closeTimeout);
  }

  terminate(): void {
    this.ws.terminate();
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get gone(): boolean {
    return this.ws.readyState === WebSocket.CLOSED;
  }
}

/** Accepts WebSocket upgrades with `ws` in `noServer` mode and hands sockets to the hub. */
class WsTransport implements Transport {
  private bound: { host: TransportHost; server: WebSocketServer } | undefined;

  constructor(private readonly closeTimeout: number) {}

  bind(host: TransportHost): void {
    if (this.bound !== undefined) throw new Error("This transport already serves a hub");
    // A variable, not a literal: `closeTimeout` is in ws 8.23 but not in @types/ws yet.
    // Pings are answered by `listen` below, when the hub's handler allows it.
    const serverOptions = {
      autoPong: false,
      noServer: true,
      maxPayload: host.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      closeTimeout: this.closeTimeout,
      handleProtocols: (protocols: Set<string>) => {
        for (const offered of protocols) if (codecForSubprotocol(offered)) return offered;
        return false;
      },
    };
    const server = new WebSocketServer(serverOptions);
    // `admit` refuses every handshake `ws` would refuse, so this runs only if a later `ws`
    // checks more: its refusal then still carries a code and the JSON body, not `ws`'s text.
    server.on("wsClientError", (error, socket) => {
      refuse(socket, new SwitchyardError("invalid_upgrade", error.message));
    });
    this.bound = { host, server };
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.bound === undefined) throw new Error("The transport serves no hub yet: bind it first");
    const { host, server } = this.bound;
    socket.on("error", host.onError);
    const codec = admit(host, request, socket);
    if (!codec) return;
    server.handleUpgrade(request, socket, head, (ws) => {
      const handler = host.accept(new WsSocket(ws, socket, this.closeTimeout), {
        request,
        codec,
        ip: request.socket.remoteAddress ?? "unknown",
      });
      listen(ws, handler, host.onError);
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

/**
 * A transport on the `ws` package (an optional peer dependency: install `ws` to use it), with
 * the same protocol for clients as the builtin one. `createHub({ transport: "ws" })` loads it
 * on demand; import it from `@switchyard/server/ws` to set its options.
 */
export function wsTransport(options: TransportOptions = {}): Transport {
  return new WsTransport(options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
}
