import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHub } from "@switchyard/server";

const hub = createHub({ allowAnonymous: true });

// The client asks for a report and gets a job id at once; the job reports on `job:<id>`.
hub.rpc("report.build", async ({ pages }: { pages: number }, { client }) => {
  const job = await hub.jobs.run(
    async (job) => {
      for (let page = 1; page <= pages; page++) {
        await job.chunk(`page ${page} of ${pages}`, { index: page - 1, total: pages });
        await job.progress((100 * page) / pages, { step: `page ${page}` });
      }
      return { pages };
    },
    { owner: client }, // only this client's session may watch and cancel it
  );
  return { jobId: job.id };
});

const server = createServer();
hub.attach(server); // the WebSocket endpoint, at /ws
server.listen(Number(process.env.PORT ?? 7080), "127.0.0.1", () => {
  console.log(`hub on ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`);
});
