/**
 * The transport seam: `createHub({ transport })` takes a name or any `Transport` object, and
 * the `ws` package is loaded only by a hub that runs on it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { builtinTransport, createHub, type HubOptions, type Transport } from "../../src/index.js";
import { connected, OPEN_POLICY, startHub } from "../helpers/fixtures.js";

const run = promisify(execFile);
/** The package's entry, from source (the child process runs TypeScript through tsx). */
const SERVER_ENTRY = new URL("../../src/index.ts", import.meta.url).href;

describe("createHub({ transport })", () => {
  it("runs on a Transport object of the application's", async () => {
    const upgrades: string[] = [];
    const inner = builtinTransport({ closeTimeout: 5_000 });
    const counting: Transport = {
      bind: (host) => inner.bind(host),
      handleUpgrade(request, socket, head) {
        upgrades.push(request.url ?? "");
        inner.handleUpgrade(request, socket, head);
      },
    };
    const { url } = await startHub({ ...OPEN_POLICY, transport: counting });
    const client = await connected(url);
    expect((await client.request({ type: "ping" })).result).toEqual({});
    expect(upgrades).toEqual(["/ws"]);
  });

  it("refuses what is neither a transport's name nor a Transport", () => {
    const bogus = { transport: "uws" } as unknown as HubOptions;
    expect(() => createHub(bogus)).toThrow(/transport must be "builtin", "ws" or a Transport/);
  });

  it("imports the ws package only for a hub that runs on it", async () => {
    const folder = await mkdtemp(join(tmpdir(), "switchyard-ws-import-"));
    try {
      const log = join(folder, "resolved.txt");
      // A module resolution hook that writes down every specifier resolved to `ws`'s package.
      const hooks = join(folder, "hooks.mjs");
      await writeFile(
        hooks,
        `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/[\\\\/]node_modules[\\\\/]ws[\\\\/]/.test(result.url)) appendFileSync(${JSON.stringify(log)}, specifier + "\\n");
  return result;
}`,
      );
      const script = join(folder, "main.mjs");
      await writeFile(
        script,
        `import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { appendFileSync } from "node:fs";
register(pathToFileURL(${JSON.stringify(hooks)}));
const { createHub } = await import(${JSON.stringify(SERVER_ENTRY)});
const builtin = createHub();
await builtin.whenStarted();
await builtin.close();
appendFileSync(${JSON.stringify(log)}, "-- ws hub\\n");
const ws = createHub({ transport: "ws" });
await ws.whenStarted();
await ws.close();
`,
      );
      const tsx = import.meta.resolve("tsx");
      await run(process.execPath, ["--conditions=@switchyard/source", `--import=${tsx}`, script], {
        cwd: process.cwd(),
      });
      const lines = (await readFile(log, "utf8")).trim().split("\n");
      const marker = lines.indexOf("-- ws hub");
      expect(marker).toBe(0);
      expect(lines.slice(marker + 1)).toContain("ws");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("answers on the ws transport as on the builtin one", async () => {
    const { url } = await startHub({ ...OPEN_POLICY, transport: "ws" });
    const client = await connected(url);
    expect((await client.request({ type: "ping" })).result).toEqual({});
  });
});
