/**
 * The ceiling: Bun's built-in WebSocket pub/sub (uWebSockets underneath). A client joins a
 * channel with `ws.subscribe`; publishing is one `server.publish` that frames once in native
 * code. Run by the Bun binary, not Node.
 */
import { EVENT_NAME, serveControl } from "../control.js";

/** The slice of Bun's API this server uses (the bench does not depend on bun-types). */
interface BunSocket {
  subscribe(topic: string): void;
  send(data: string): number;
}
interface BunServer {
  readonly port: number;
  upgrade(request: Request): boolean;
  publish(topic: string, data: string): number;
}
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Response | undefined;
    websocket: {
      perMessageDeflate: boolean;
      idleTimeout: number;
      message(socket: BunSocket, message: string | Uint8Array): void;
    };
  }): BunServer;
  gc(force: boolean): void;
};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, self) {
    if (self.upgrade(request)) return undefined;
    return new Response("not found", { status: 404 });
  },
  websocket: {
    perMessageDeflate: false,
    idleTimeout: 960,
    message(socket, raw) {
      const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
      const message = JSON.parse(text) as { type?: string; channel?: string };
      if (message.type !== "subscribe" || typeof message.channel !== "string") return;
      socket.subscribe(message.channel);
      socket.send(JSON.stringify({ type: "subscribed", channel: message.channel }));
    },
  },
});

serveControl(
  {
    publish: (channel, data) => {
      server.publish(channel, JSON.stringify({ type: "event", channel, event: EVENT_NAME, data }));
    },
    gc: () => Bun.gc(true),
  },
  server.port,
);
