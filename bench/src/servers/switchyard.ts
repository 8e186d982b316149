/**
 * Switchyard under test: the hub from @switchyard/server on a plain `http.Server`, with its
 * default options (memory broker, history on, batching per tick). The client picks the codec
 * by subprotocol, so one script serves both the JSON and the MessagePack targets.
 * `SWITCHYARD_TRANSPORT=ws` runs the hub on the `ws` transport instead of the builtin one.
 */
import { createServer } from "node:http";
import { createHub } from "@switchyard/server";
import { EVENT_NAME, serveControl } from "../control.js";
import { nodeProfiler } from "./node-profiler.js";

const anyone = { subscribe: "anyone" } as const;
const transport = process.env.SWITCHYARD_TRANSPORT === "ws" ? "ws" : "builtin";
const hub = createHub({ allowAnonymous: true, namespaces: { "": anyone, c: anyone }, transport });
const server = createServer();
hub.attach(server);

let failures = 0;
const onError = (error: unknown) => {
  if (failures++ === 0) process.stderr.write(`publish failed: ${String(error)}\n`);
};

server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  serveControl(
    {
      publish: (channel, data) => {
        hub.publish(channel, EVENT_NAME, data).catch(onError);
      },
      gc: () => (globalThis as { gc?: () => void }).gc?.(),
      profiler: nodeProfiler(),
    },
    port,
  );
});
