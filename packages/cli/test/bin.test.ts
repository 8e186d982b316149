import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { closeCodeOf } from "@switchyard/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { onCleanup, subscriber } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/switchyard.js");
const run = promisify(execFile);

// The bin runs the built dist/, so build it (incremental: quick when nothing changed).
beforeAll(async () => {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  await run(process.execPath, [tsc, "-b", "packages/cli/tsconfig.build.json"], { cwd: ROOT });
}, 120_000);

interface Spawned {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnBin(args: string[]): Spawned {
  const env = { ...process.env };
  delete env.SWITCHYARD_API_KEY;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  const stdout: string[] = [];
  let stderr = "";
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    stdout.push(...lines);
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  });
  return { child, stdout, stderr: () => stderr, exited };
}

/** Waits for the JSON log line that announces the URL (the server prints it on start). */
async function listeningUrl(spawned: Spawned): Promise<{ url: string; wsUrl: string }> {
  const found = () =>
    spawned.stdout
      .map((line) => JSON.parse(line) as { url?: string; wsUrl?: string })
      .find((entry) => entry.url !== undefined && entry.wsUrl !== undefined);
  while (found() === undefined) {
    const event = await Promise.race([
      once(spawned.child.stdout!, "data").then(() => "data"),
      spawned.exited.then(() => "exit"),
    ]);
    if (event === "exit") throw new Error(`the server exited: ${spawned.stderr()}`);
  }
  const entry = found()!;
  return { url: entry.url!, wsUrl: entry.wsUrl! };
}

describe("switchyard serve (the bin)", () => {
  it("starts on port 0, serves, and exits 0 on SIGTERM after closing clients with 4200", async () => {
    const server = spawnBin(["serve", "--port", "0", "--api-key", "bin-key", "--allow-anonymous"]);
    const { url, wsUrl } = await listeningUrl(server);
    expect(server.stderr()).toContain(wsUrl);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const client = await subscriber(wsUrl, "news");
    const publish = await fetch(`${url}/api/publish`, {
      method: "POST",
      headers: { authorization: "Bearer bin-key" },
      body: JSON.stringify({ channel: "news", event: "headline", data: { n: 1 } }),
    });
    expect(publish.status).toBe(200);
    expect(await client.next((f) => f.type === "event")).toMatchObject({ data: { n: 1 } });

    server.child.kill("SIGTERM");
    expect(await client.closed).toBe(closeCodeOf("server_shutting_down"));
    expect(await server.exited).toBe(0);
  });

  it("generates an API key, prints it with the URLs, and accepts it", async () => {
    const server = spawnBin(["serve", "--port", "0", "--allow-anonymous", "--log-level", "warn"]);
    const keyPattern = /API key\s+(\S+)/;
    while (!keyPattern.test(server.stderr())) {
      await Promise.race([once(server.child.stderr!, "data"), server.exited]);
      if (server.child.exitCode !== null) throw new Error(server.stderr());
    }
    const banner = server.stderr();
    const key = keyPattern.exec(banner)?.[1] ?? "";
    const url = /HTTP API\s+(http:\/\/\S+)\/api/.exec(banner)?.[1];
    expect(banner).toMatch(/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/ws/);
    expect(banner).toMatch(/Inspector\s+http:\/\//);
    expect(banner).toMatch(/Metrics\s+http:\/\/\S+\/metrics/);
    const channels = await fetch(`${url}/api/channels`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(channels.status).toBe(200);
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
  });

  it("exits non-zero naming the bad field of a --config file", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-bin-"));
    onCleanup(() => rm(directory, { recursive: true }));
    const config = join(directory, "switchyard.yaml");
    await writeFile(config, "port: 0\nnamespaces:\n  job:\n    subscribe: everybody\n");
    const server = spawnBin(["serve", "--config", config]);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain("namespaces.job.subscribe");
    expect(server.stderr()).toContain(config);
  });

  it("exits 2 with a clear message on an unknown flag, and 0 on --help", async () => {
    const unknown = spawnBin(["serve", "--prot", "80"]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain("unknown option '--prot'");
    const badPort = spawnBin(["serve", "--port", "eighty"]);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toContain("--port");
    const help = spawnBin(["serve", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout.join("\n")).toContain("Usage: switchyard serve");
  });
});
