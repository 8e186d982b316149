import { createServer } from "node:http";
import { createHub } from "@switchyard/server";

export function startQuickstart(port = 7070) {
  const server = createServer();
  const hub = createHub({
    allowAnonymous: true,
    namespaces: { report: { subscribe: "anyone", history: { size: 100 } } },
  });
  hub.attach(server); // WebSocket endpoint: ws://localhost:7070/ws

  // A client calls this RPC; progress is published to a channel anyone may watch.
  hub.rpc("report.build", async (data: { pages: number }, { client }) => {
    const channel = `report:${client.clientId}`;
    for (let page = 1; page <= data.pages; page++) {
      await hub.publish(channel, "progress", { percent: (100 * page) / data.pages });
    }
    await hub.publish(channel, "done", { pages: data.pages });
    return { channel };
  });

  server.listen(port);
  return { server, hub };
}
