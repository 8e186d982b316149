import type { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { BuiltinSocket } from "./builtin-socket.js";
import { switchingProtocols } from "./handshake.js";
import { admit, type Transport, type TransportOptions } from "./upgrade.js";

/**
 * Switchyard's own WebSocket server transport: RFC 6455 on the plain socket of the `upgrade`
 * event, without extensions (no permessage-deflate). It exists for memory: a connection is the
 * network socket and one small {@link BuiltinSocket}, where `ws` adds a WebSocket, a stream
 * for its receiver, a sender and their listeners. Outbound messages are the hub's prebuilt
 * frames, written as they are.
 */
export class BuiltinTransport implements Transport {
  constructor(private readonly options: TransportOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", this.options.onError);
    const codec = admit(this.options, request, socket);
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
    const webSocket = new BuiltinSocket(this.options, socket);
    const handler = this.options.accept(webSocket, {
      request,
      codec,
      ip: request.socket.remoteAddress ?? "unknown",
    });
    webSocket.start(handler, head);
  }
}
