/**
 * The packages as a user installs them from npm: every published workspace packed by
 * `npm pack`, the tarballs installed by `npm install` into an empty folder outside the
 * repository (their third-party dependencies from the npm cache, else the registry), and
 * there: the `switchyard` command serves a hub that a Node script reaches with the client SDK,
 * every entry point loads from dist/ with `import` and `require()`, and a strict TypeScript
 * consumer of every entry point type-checks with moduleResolution `bundler` and `node16`, as
 * do the TypeScript examples of the packages' READMEs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "./command.js";

const run = promisify(execFile);
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const FIXTURES = join(ROOT, "test/pack");
const API_KEY = "pack-test-key";

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  workspaces?: string[];
}

async function manifest(path: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(path, "package.json"), "utf8")) as Manifest;
}

/**
 * This process's environment less what `npm test` set for the repository (its folder, its
 * workspaces, its scripts), so npm in the consumer's folder sees only that folder; the user's
 * npm settings (cache, registry, certificates) stay.
 */
function consumerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    const local = /^npm_config_(local_prefix|workspaces?|include_workspace_root|call)$/i;
    if ((name.startsWith("npm_") && !/^npm_config_/i.test(name)) || local.test(name)) {
      delete env[name];
    }
  }
  delete env.SWITCHYARD_API_KEY;
  delete env.SWITCHYARD_REDIS_URL;
  return env;
}

/** The strict options of the consumer's type checks; each adds its resolution. */
const STRICT = {
  strict: true,
  noEmit: true,
  target: "ES2022",
  lib: ["ES2023"],
  types: ["node"],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  moduleDetection: "force",
};

let folder = "";
let app = "";
const packages: Manifest[] = [];
const children: ChildProcess[] = [];
/** Started in beforeAll, in parallel: each resolves with tsc's output, "" when clean. */
let typechecks: { bundler: Promise<string>; node16: Promise<string> } | undefined;

function typecheck(config: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, "-p", config], { cwd: app }, (error, stdout, stderr) => {
      resolve(error ? `${stdout}${stderr}` || error.message : "");
    });
  });
}

beforeAll(async () => {
  // The tarballs hold dist/: bring it up to date (incremental, quick when built). The
  // inspector in dist/inspector comes from `npm run build` (run by npm install), not from
  // here, as other tests serve it meanwhile.
  await run(process.execPath, [TSC, "-b", "tsconfig.build.json"], { cwd: ROOT });

  folder = await mkdtemp(join(tmpdir(), "switchyard-pack-"));
  const root = await manifest(ROOT);
  const published: string[] = [];
  for (const dir of root.workspaces ?? []) {
    const pkg = await manifest(join(ROOT, dir));
    if (pkg.private !== true) {
      published.push(dir);
      packages.push(pkg);
    }
  }
  const env = consumerEnv();
  const { stdout } = await run(
    "npm",
    [
      "pack",
      "--json",
      "--ignore-scripts",
      "--pack-destination",
      folder,
      ...published.flatMap((dir) => ["-w", dir]),
    ],
    { cwd: ROOT, env },
  );
  const tarballs = (JSON.parse(stdout) as { filename: string }[]).map(({ filename }) =>
    join(folder, filename),
  );

  // An empty project outside the repository, as a user's. The SDK needs `ws` on Node 20
  // (no global WebSocket), the React bindings React and its types; TypeScript is the
  // repository's compiler, the user's own.
  app = join(folder, "app");
  await mkdir(app);
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "switchyard-consumer", private: true, type: "module" }),
  );
  const pinned = async (name: string) =>
    `${name}@${(await manifest(join(ROOT, "node_modules", name))).version}`;
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
      ...tarballs,
      await pinned("@types/node"),
      await pinned("@types/react"),
      await pinned("react"),
      // The optional peer of @switchyard/react/query.
      await pinned("@tanstack/react-query"),
      await pinned("ws"),
    ],
    { cwd: app, env },
  );

  for (const file of ["consumer.ts", "subscribe.mjs", "load-all.cjs"]) {
    await copyFile(join(FIXTURES, file), join(app, file));
  }
  // The TypeScript examples of the READMEs the packages ship (browser code among them: DOM;
  // React components among them: TSX).
  const examples: string[] = [];
  for (const { name } of packages) {
    const readme = await readFile(join(app, "node_modules", name, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```(tsx?)\n([\s\S]*?)```/g)];
    for (const [index, [, extension, code]] of blocks.entries()) {
      const file = `readme-${name.split("/")[1]}-${index + 1}.${extension}`;
      await writeFile(join(app, file), code ?? "");
      examples.push(file);
    }
  }
  // A web app's setup (as a bundler's template has it): the DOM's types, libraries unchecked.
  await writeFile(
    join(app, "tsconfig.bundler.json"),
    JSON.stringify({
      compilerOptions: {
        ...STRICT,
        lib: ["ES2023", "DOM", "DOM.Iterable"],
        jsx: "react-jsx",
        module: "ESNext",
        moduleResolution: "bundler",
        skipLibCheck: true,
      },
      files: ["consumer.ts", ...examples],
    }),
  );
  // A Node server's, the strictest: no DOM types, and every .d.ts checked, so a type the
  // packages import from a package that is not their dependency, or from the DOM, fails.
  await writeFile(
    join(app, "tsconfig.node16.json"),
    JSON.stringify({
      compilerOptions: {
        ...STRICT,
        module: "node16",
        moduleResolution: "node16",
        skipLibCheck: false,
      },
      files: ["consumer.ts"],
    }),
  );
  typechecks = {
    bundler: typecheck("tsconfig.bundler.json"),
    node16: typecheck("tsconfig.node16.json"),
  };
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
  }
  // Let the type checks end before their folder goes.
  await Promise.all([typechecks?.bundler, typechecks?.node16]);
  if (folder !== "") await rm(folder, { recursive: true, force: true });
});

/** `switchyard serve` from the consumer's node_modules/.bin; resolves once it listens. */
async function serve(args: string[]): Promise<{ wsUrl: string; url: string }> {
  const child = spawn(join(app, "node_modules/.bin/switchyard"), ["serve", ...args], {
    cwd: app,
    env: consumerEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let stderr = "";
  const banner = /WebSocket\s+(ws:\/\/\S+)[\s\S]*HTTP API\s+(http:\/\/\S+)\/api/;
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const found = banner.exec(stderr);
      if (found) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`switchyard exited (${code}):\n${stderr}`)));
  });
  return { wsUrl: match[1] ?? "", url: match[2] ?? "" };
}

it("installs every published package with the LICENSE, README and dist/ it ships", async () => {
  expect(packages.map(({ name }) => name).sort()).toEqual([
    "@switchyard/cli",
    "@switchyard/client",
    "@switchyard/protocol",
    "@switchyard/react",
    "@switchyard/redis",
    "@switchyard/server",
  ]);
  const license = await readFile(join(ROOT, "LICENSE"), "utf8");
  for (const { name, version } of packages) {
    const installed = join(app, "node_modules", name);
    expect(await manifest(installed)).toMatchObject({ name, version });
    expect(await readFile(join(installed, "LICENSE"), "utf8")).toBe(license);
    expect(await readFile(join(installed, "README.md"), "utf8")).toContain(`# ${name}`);
  }
});

it("runs the hub with the `switchyard` command; the SDK in Node receives an event published through its HTTP API", async () => {
  const { wsUrl, url } = await serve(["--port", "0", "--allow-anonymous", "--api-key", API_KEY]);

  const { stdout } = await run(process.execPath, ["subscribe.mjs", wsUrl, `${url}/api`, API_KEY], {
    cwd: app,
    env: consumerEnv(),
    timeout: 20_000,
  });
  expect(JSON.parse(stdout)).toMatchObject({ channel: "news", event: "hello", data: { n: 1 } });

  // The inspector and the browser SDK are in the tarball: served, not the "not built" page.
  const page = await fetch(`${url}/`);
  expect(await page.text()).toContain('src="inspector/inspector.js"');
  const sdk = await fetch(`${url}/sdk/switchyard-client.js`);
  expect(sdk.status).toBe(200);
  expect(await sdk.text()).toContain("createClient");
});

it("runs the hub on the ws transport, loaded on demand from the installed package", async () => {
  const { wsUrl, url } = await serve([
    "--port",
    "0",
    "--allow-anonymous",
    "--api-key",
    API_KEY,
    "--transport",
    "ws",
  ]);
  const { stdout } = await run(process.execPath, ["subscribe.mjs", wsUrl, `${url}/api`, API_KEY], {
    cwd: app,
    env: consumerEnv(),
    timeout: 20_000,
  });
  expect(JSON.parse(stdout)).toMatchObject({ channel: "news", event: "hello", data: { n: 1 } });
});

it("loads every entry point from dist/ with import and require()", async () => {
  const { stdout } = await run(process.execPath, ["load-all.cjs"], {
    cwd: app,
    env: consumerEnv(),
  });
  const loaded = JSON.parse(stdout) as Record<
    string,
    { file: string; required: number; imported: number }
  >;
  expect(Object.keys(loaded)).toHaveLength(11);
  for (const [name, { file, required, imported }] of Object.entries(loaded)) {
    // `@switchyard/source` (src/, for this repository) is a condition nothing uses unasked.
    expect(file).toContain(join("node_modules", name.split("/").slice(0, 2).join("/"), "dist"));
    expect(required).toBeGreaterThan(0);
    expect(required).toBe(imported);
  }
});

it("type-checks a strict consumer of every entry point, and the READMEs' examples, with moduleResolution bundler", async () => {
  expect(await typechecks?.bundler).toBe("");
}, 120_000);

it("type-checks a strict consumer of every entry point with moduleResolution node16", async () => {
  expect(await typechecks?.node16).toBe("");
}, 120_000);
