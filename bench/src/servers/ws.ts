/**
 * The Node floor: a minimal `ws` server with no framework. A channel is a Set of sockets;
 * publishing serializes the event once and sends the same Buffer to every socket.
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { EVENT_NAME, serveControl } from "../control.js";
import { nodeProfiler } from "./node-profiler.js";

const TEXT = { binary: false };
const channels = new Map<string, Set<WebSocket>>();
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });

wss.on("connection", (socket) => {
  const joined: string[] = [];
  socket.on("message", (raw) => {
    const message = JSON.parse(String(raw)) as { type?: string; channel?: string };
    if (message.type !== "subscribe" || typeof message.channel !== "string") return;
    let members = channels.get(message.channel);
    if (!members) {
      members = new Set();
      channels.set(message.channel, members);
    }
    members.add(socket);
    joined.push(message.channel);
    socket.send(JSON.stringify({ type: "subscribed", channel: message.channel }));
  });
  socket.on("close", () => {
    for (const channel of joined) {
      const members = channels.get(channel);
      members?.delete(socket);
      if (members?.size === 0) channels.delete(channel);
    }
  });
  socket.on("error", () => {});
});

server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  serveControl(
    {
      publish: (channel, data) => {
        const members = channels.get(channel);
        if (!members) return;
        const frame = Buffer.from(
          JSON.stringify({ type: "event", channel, event: EVENT_NAME, data }),
        );
        for (const socket of members) socket.send(frame, TEXT);
      },
      gc: () => (globalThis as { gc?: () => void }).gc?.(),
      profiler: nodeProfiler(),
    },
    port,
  );
});
