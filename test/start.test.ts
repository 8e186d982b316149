/**
 * `npm start` as a newcomer runs it from the README: what it prints must work when pasted,
 * and so must the README's own `curl` against what it starts.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, expect, it } from "vitest";
import { subscriber } from "../packages/cli/test/helpers.js";
import { Command, ROOT } from "./command.js";

const run = promisify(execFile);
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The example apps `npm start` runs beside the standalone hub: the launcher lists them all. */
import { APPS } from "../examples/web/catalog.js";

// `npm start` runs the CLI's bin, which runs its built dist/ (incremental: quick when built).
beforeAll(async () => {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  await run(process.execPath, [tsc, "-b", "packages/cli/tsconfig.build.json"], { cwd: ROOT });
}, 120_000);

/** The README's first command, `npm install && npm start`, less the install already done. */
function firstCommand(): string {
  const block = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
  expect(block).toContain("npm install && npm start ");
  return "npm start";
}

/** `npm start` on free ports (PORT=0) with `env`; resolves with what its banner printed. */
async function start(command: string, env: Record<string, string | undefined>) {
  const started = new Command(command, { PORT: "0", ...env });
  const [, wsUrl = ""] = await started.waitFor(/WebSocket\s+(ws:\/\/\S+)/);
  const [, inspector = ""] = await started.waitFor(/Inspector\s+(http:\/\/\S+)/);
  // The example apps are listed once their server listens: each app's page, then its hub.
  const [, launcher = ""] = await started.waitFor(/Example apps\s+(http:\/\/\S+)/);
  const examples = new Map<string, { page: string; hub: string }>();
  for (const { name } of APPS) {
    const [, page = "", hub = ""] = await started.waitFor(
      new RegExp(`^\\s+${name}\\s+(http://\\S+)\\n\\s+hub (ws://\\S+)`, "m"),
    );
    examples.set(name, { page, hub });
  }
  return { started, wsUrl, inspector, launcher, examples };
}

/** Runs a shell command line as pasted into a terminal; resolves with its output. */
async function paste(line: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("sh", ["-c", line], { cwd: ROOT, env: { ...process.env, ...env } });
  return stdout;
}

it("npm start prints its URLs, the launcher and every example app, and a curl line that publishes with its key", async () => {
  const { started, wsUrl, inspector, launcher, examples } = await start(firstCommand(), {
    SWITCHYARD_API_KEY: undefined,
  });
  const [, curl = ""] = await started.waitFor(/^\s+Publish\s+(curl .+)$/m);

  const inspectorPage = await fetch(inspector);
  expect(inspectorPage.status).toBe(200);
  expect(inspectorPage.headers.get("content-type")).toContain("text/html");
  // The inspector links to the launcher, which lists every app.
  const links = await fetch(new URL("/inspector/links.json", inspector));
  expect(await links.json()).toEqual([{ label: "Example apps", url: launcher }]);
  expect((await fetch(launcher)).status).toBe(200);
  for (const [name, { page, hub }] of examples) {
    const response = await fetch(page);
    expect(response.status, name).toBe(200);
    expect(await response.text(), name).toContain('<div id="root">');
    const client = await subscriber(hub);
    expect(client.frames[0]).toMatchObject({ type: "reply" });
  }

  const news = await subscriber(wsUrl, "news");
  expect(JSON.parse(await paste(curl))).toMatchObject({ offset: 1 });
  expect(await news.next((frame) => frame.type === "event")).toMatchObject({
    channel: "news",
    event: "hello",
    data: { n: 1 },
  });
}, 60_000);

it("the README's curl publishes through the hub its npm start runs", async () => {
  const section = README.split("## Run it standalone")[1]?.split("\n## ")[0] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const lines = block
    .replaceAll("\\\n", " ")
    .split("\n")
    .map((line) => line.replace(/\s+#.*/, "").trim())
    .filter((line) => line !== "");
  const env: Record<string, string> = {};
  for (const line of lines) {
    const assignment = /^export (\w+)=(\S+)$/.exec(line);
    if (assignment) env[assignment[1] ?? ""] = assignment[2] ?? "";
  }
  expect(Object.keys(env)).toEqual(["SWITCHYARD_API_KEY"]);
  expect(lines).toContain("npm start");
  const curl = lines.find((line) => line.startsWith("curl "));
  expect(curl).toBeDefined();

  const { wsUrl } = await start("npm start", env);
  const port = new URL(wsUrl).port;
  const news = await subscriber(wsUrl, "news");
  // The README's hub is on port 7070; this one is on a free port.
  const pasted = (curl ?? "").replace("127.0.0.1:7070", `127.0.0.1:${port}`);
  expect(JSON.parse(await paste(pasted, env))).toMatchObject({ offset: 1 });
  expect(await news.next((frame) => frame.type === "event")).toMatchObject({
    channel: "news",
    data: { n: 1 },
  });
}, 60_000);
