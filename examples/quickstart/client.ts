import { createClient } from "@switchyard/client";

const client = createClient({ url: `ws://127.0.0.1:${process.env.PORT ?? 7080}/ws` });
const { jobId } = (await client.rpc("report.build", { pages: 4 })) as { jobId: string };

// The hub's snapshot of the job seeds this store: however late it subscribes, no page is lost.
const job = client.job(jobId);
let shown = 0;
const stop = job.subscribe(() => {
  const { status, percent, chunks, result, error } = job.getSnapshot();
  while (shown < chunks.length) console.log(chunks[shown++]?.data);
  if (status === "completed" || status === "failed") {
    console.log(`${status} at ${percent}%:`, result ?? error);
    stop();
    client.close();
  }
});
