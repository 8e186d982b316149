/**
 * Socket.IO 4 with a room broadcast: WebSocket transport only, no compression. A client
 * joins a room with `emit("subscribe", channel, ack)`; publishing is `io.to(channel).emit`.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import { EVENT_NAME, serveControl } from "../control.js";
import { nodeProfiler } from "./node-profiler.js";

const server = createServer();
const io = new Server(server, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
});

io.on("connection", (socket) => {
  socket.on("subscribe", (channel: unknown, ack?: unknown) => {
    if (typeof channel !== "string") return;
    void socket.join(channel);
    if (typeof ack === "function") ack();
  });
});

server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  serveControl(
    {
      publish: (channel, data) => {
        io.to(channel).emit(EVENT_NAME, data);
      },
      gc: () => (globalThis as { gc?: () => void }).gc?.(),
      profiler: nodeProfiler(),
    },
    port,
  );
});
