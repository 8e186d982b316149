import type { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type BuiltinSettings, BuiltinSocket } from "./builtin-socket.js";
import { DEFAULT_CLOSE_TIMEOUT } from "./close-grace.js";
import { switchingProtocols } from "./handshake.js";
import type { Transport, TransportHost, TransportOptions } from "./socket.js";
import { admit } from "./upgrade.js";

/**
 * Switchyard's own WebSocket server transport: RFC 6455 on the plain socket of the `upgrade`
 * event, without extensions (no permessage-deflate). It exists for memory: a connection is the
 * network socket and one small {@link BuiltinSocket}, where `ws` adds a WebSocket, a stream
 * for its receiver, a sender and their listeners. Outbound messages are framed once and the
 * same frame is written to every subscriber.
 */
class BuiltinTransport implements Transport {
  private settings: BuiltinSettings | undefined;

  constructor(private readonly closeTimeout: number) {}

  bind(host: TransportHost): void {
    if (this.settings !== undefined) throw new Error("This transport already serves a hub");
    this.settings = { ...host, closeTimeout: this.closeTimeout };
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const settings = this.settings;
    if (settings === undefined) throw new Error("The transport serves no hub yet: bind it first");
    socket.on("error", settings.onError);
    const codec = admit(settings, request, socket);
    if (!codec) return;
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    // The chosen subprotocol is named only to a client that offered some.
    const offered = Boolean(request.headers["sec-websocket-protocol"]);
    socket.write(switchingProtocols(request, offered ? codec.subprotocol : undefined));
    if (socket instanceof Socket) {
      // Small frames go out at once, and an idle connection is the normal state.
      socket.setNoDelay(true);
      socket.setTimeout(0);
    }
    const webSocket = new BuiltinSocket(settings, socket);
    const handler = settings.accept(webSocket, {
      request,
      codec,
      ip: request.socket.remoteAddress ?? "unknown",
    });
    webSocket.start(handler, head);
  }
}

/**
 * The builtin transport, the hub's default (`createHub({ transport: "builtin" })`): give one
 * to `createHub({ transport })` to set its options.
 */
export function builtinTransport(options: TransportOptions = {}): Transport {
  return new BuiltinTransport(options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
}
