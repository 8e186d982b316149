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
  /** Resolves with the first defined value of `find`, re-checked on every output; rejects on exit. */
  waitFor<T>(find: () => T | undefined): Promise<T>;
}

function spawnBin(args: string[]): Spawned {
  const env = { ...process.env };
  delete env.SWITCHYARD_API_KEY;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  const stdout: string[] = [];
  let stderr = "";
  let partial = "";
  let checks: (() => void)[] = [];
  const changed = () => {
    for (const check of checks.splice(0)) check();
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    stdout.push(...lines);
    changed();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    changed();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  exited.then(changed);
  const waitFor = <T>(find: () => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) resolve(found);
        else if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`the server exited: ${stderr}`));
        } else checks.push(check);
      };
      check();
    });
  onCleanup(() => {
    checks = [];
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  });
  return { child, stdout, stderr: () => stderr, exited, waitFor };
}

/** The URLs from the JSON log line the server writes on start. */
function listeningUrl(spawned: Spawned): Promise<{ url: string; wsUrl: string }> {
  return spawned.waitFor(() => {
    for (const line of spawned.stdout) {
      const entry = JSON.parse(line) as { url?: string; wsUrl?: string };
      if (entry.url !== undefined && entry.wsUrl !== undefined) {
        return { url: entry.url, wsUrl: entry.wsUrl };
      }
    }
    return undefined;
  });
}

describe("switchyard serve (the bin)", () => {
  it("starts on port 0, serves, and exits 0 on SIGTERM after closing clients with 4200", async () => {
    const server = spawnBin(["serve", "--port", "0", "--api-key", "bin-key", "--allow-anonymous"]);
    const { url, wsUrl } = await listeningUrl(server);
    await server.waitFor(() => (server.stderr().includes(wsUrl) ? true : undefined));
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

  it("generates an API key, prints it with the URLs and the links, and accepts it", async () => {
    const server = spawnBin([
      "serve",
      "--port",
      "0",
      "--allow-anonymous",
      "--log-level",
      "warn",
      "--link",
      "Apps=http://127.0.0.1:7073/",
      "--link",
      "Example applications=https://apps.example/?a=1",
    ]);
    const keyPattern = /API key\s+(\S+)/;
    await server.waitFor(() => keyPattern.exec(server.stderr()) ?? undefined);
    const banner = server.stderr();
    const key = keyPattern.exec(banner)?.[1] ?? "";
    const url = /HTTP API\s+(http:\/\/\S+)\/api/.exec(banner)?.[1];
    expect(banner).toMatch(/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/ws/);
    expect(banner).toMatch(/Inspector\s+http:\/\//);
    expect(banner).toMatch(/Metrics\s+http:\/\/\S+\/metrics/);
    // The links, aligned with the URLs above them when their label is short.
    expect(banner).toContain("\n  Apps        http://127.0.0.1:7073/\n");
    expect(banner).toContain("\n  Example applications  https://apps.example/?a=1\n");
    expect(banner).toContain(
      `Publish     curl -X POST ${url}/api/publish -H "Authorization: Bearer ${key}"`,
    );
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
    const badTransport = spawnBin(["serve", "--transport", "uws"]);
    expect(await badTransport.exited).toBe(2);
    expect(badTransport.stderr()).toContain("--transport must be one of builtin, ws (got 'uws')");
    const help = spawnBin(["serve", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout.join("\n")).toContain("Usage: switchyard serve");
    expect(help.stdout.join("\n")).toContain("--link <label>=<url>");
  });

  it("exits 2 naming what is wrong with a --link", async () => {
    const badLink = spawnBin(["serve", "--link", "Apps=apps.example"]);
    expect(await badLink.exited).toBe(2);
    expect(badLink.stderr()).toContain(
      "switchyard: --link url must be an absolute http:// or https:// URL (got 'Apps=apps.example')\nRun 'switchyard serve --help'.",
    );
  });
});
