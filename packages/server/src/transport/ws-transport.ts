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
 * The `ws` adapter of {@link HubSocket}, on `ws`'s public API only: `ws` does the handshake,
 * frames every message (`ws.send`), reads and answers control frames, and closes. Framing
 * once per fan-out and writing the same frame under `ws` (as the builtin transport does)
 * measured no clear gain in the fan-out benchmark, so the adapter does not reach below `ws`.
 */
class WsSocket implements HubSocket, ClosingSocket {
  constructor(
    private readonly ws: WebSocket,
    private readonly closeTimeout: number,
  ) {}

  send(message: OutboundMessage, onWritten?: () => void): void {
    // After a close frame (ours or the peer's) the protocol allows no more data frames.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(message.payload, { binary: message.binary }, onWritten);
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
      const handler = host.accept(new WsSocket(ws, this.closeTimeout), {
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
