/**
 * The README's quickstart, run as a newcomer runs it: its two commands in two processes, the
 * server first, then the client, which must get every page of the report and its end.
 */
import { readFileSync } from "node:fs";
import { createClient, type Job } from "@switchyard/client";
import { afterEach, expect, it } from "vitest";
import { Command } from "../../test/command.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const source = (file: string) => readFileSync(new URL(file, import.meta.url), "utf8").trim();

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** The README's quickstart section. */
const section = README.split("## Embed the hub in a Node server")[1]?.split("\n## ")[0] ?? "";

/** The commands of the section's shell block, in order (comments dropped). */
function readmeCommands(): [server: string, client: string] {
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const commands = block
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
  expect(commands).toHaveLength(2);
  return [commands[0] ?? "", commands[1] ?? ""];
}

/** Starts the README's server command on a free port; resolves with the port it printed. */
async function startServer(command: string): Promise<number> {
  const server = new Command(command, { PORT: "0" });
  const [, port] = await server.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\/ws/);
  return Number(port);
}

/** Resolves once the job store shows the job completed. */
function completed(job: Job): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (job.getSnapshot().status === "completed") resolve();
    };
    disposers.push(job.subscribe(check));
    check();
  });
}

it("the README shows the server and the client verbatim", () => {
  expect(section).toContain(source("./server.ts"));
  expect(section).toContain(source("./client.ts"));
});

it("runs as the README says: the client gets every page of the report and its end", async () => {
  const [serverCommand, clientCommand] = readmeCommands();
  const port = await startServer(serverCommand);

  const client = new Command(clientCommand, { PORT: String(port) });
  expect(await client.exited).toBe(0);
  // What the client printed, without npm's header (`> quickstart:client` and the command).
  const lines = client.stdout.split("\n").filter((line) => line !== "" && !line.startsWith(">"));
  expect(lines).toEqual([
    "page 1 of 4",
    "page 2 of 4",
    "page 3 of 4",
    "page 4 of 4",
    "completed at 100%: { pages: 4 }",
  ]);
}, 60_000);

it("catches up a client that follows the job only after it ended", async () => {
  const [serverCommand] = readmeCommands();
  const port = await startServer(serverCommand);
  const client = createClient({ url: `ws://127.0.0.1:${port}/ws` });
  disposers.push(() => client.close());
  const { jobId } = (await client.rpc("report.build", { pages: 3 })) as { jobId: string };
  const first = client.job(jobId);
  await completed(first);
  first.dispose();

  // Every event of the job went out before this store subscribed: the snapshot has it all.
  const late = client.job(jobId);
  disposers.push(() => late.dispose());
  await completed(late);
  const state = late.getSnapshot();
  expect(state.percent).toBe(100);
  expect(state.chunks.map((chunk) => chunk.data)).toEqual([
    "page 1 of 3",
    "page 2 of 3",
    "page 3 of 3",
  ]);
}, 60_000);
