/**
 * React 18.3 in real Chromium: the package's peer range says `^18.3 || ^19`, and the workspace
 * installs 19, so this test installs React 18.3.1 into a temporary directory outside the
 * repository (from the npm registry), bundles `react18-page.tsx` against it, and checks the
 * provider, a job, synced state and presence under StrictMode, and a hydration of the markup
 * React 18's `react-dom/server` rendered in Node.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Chromium, launchChromium } from "./browser.js";
import { buildPage } from "./page-build.js";
import type { AppProps } from "./react18-page.js";
import { HubServer, serveStatic } from "./servers.js";

const REACT_18 = "18.3.1";
const ENTRY = fileURLToPath(new URL("./react18-page.tsx", import.meta.url));
const SERVER = fileURLToPath(new URL("./react18-server.tsx", import.meta.url));
const SECRET = "switchyard-react-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);

/**
 * Installs React 18 into `dir` (five packages: about a second). A workspace selected by an
 * enclosing `npm test -w ...` must not reach this install outside the repository.
 */
async function installReact18(dir: string): Promise<void> {
  const packages = [`react@${REACT_18}`, `react-dom@${REACT_18}`];
  const flags = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund"];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_config_workspace/i.test(name)),
  );
  await promisify(execFile)("npm", ["install", "--prefix", dir, ...flags, ...packages], {
    cwd: dir,
    env,
    timeout: 60_000,
  });
}

function sign(sub: string): Promise<string> {
  return new SignJWT({ sub }).setProtectedHeader({ alg: "HS256" }).sign(key);
}

let install: string;
let chromium: Chromium;
let built: Awaited<ReturnType<typeof buildPage>>;
let site: Awaited<ReturnType<typeof serveStatic>>;
let hub: HubServer;

beforeAll(async () => {
  install = await mkdtemp(join(tmpdir(), "switchyard-react18-"));
  const [browser, installed] = await Promise.allSettled([
    launchChromium(),
    installReact18(install),
  ]);
  if (browser.status === "fulfilled") chromium = browser.value; // closed by afterAll either way
  if (browser.status === "rejected") throw browser.reason;
  if (installed.status === "rejected") throw installed.reason;
  built = await buildPage({ entry: ENTRY, server: SERVER, react: join(install, "node_modules") });
  site = await serveStatic(built.dir);
  hub = await HubServer.start({
    auth: { secret: SECRET },
    defaultNamespace: { subscribe: "anyone", publish: "anyone" },
    presence: { namespaces: { room: { grace: 0 } } },
    state: {
      documents: {
        settings: {
          keys: { damping: { schema: z.number(), default: 0.5 } },
          read: "anyone",
          write: { "": "anyone" },
        },
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await site?.close();
  await chromium?.close();
  await built?.remove();
  if (install) await rm(install, { recursive: true, force: true });
});

const pages: Page[] = [];
afterEach(async () => {
  for (const page of pages.splice(0)) await page.context().close();
  expect(chromium.errors.splice(0)).toEqual([]);
});

/** The page's props for `sub`, following `job` when given. */
async function propsFor(sub: string, job: string | null = null): Promise<AppProps> {
  return { hub: hub.url, token: await sign(sub), job };
}

/** Opens `file` with `props` in the query string. */
async function open(props: AppProps, file = ""): Promise<Page> {
  const page = await chromium.newPage();
  pages.push(page);
  const query = new URLSearchParams({ hub: props.hub, token: props.token });
  if (props.job !== null) query.set("job", props.job);
  await page.goto(`${site.url}${file}?${query}`);
  return page;
}

/** The server render (React 18's `react-dom/server` in Node) of the page for `props`. */
function serverRender(props: AppProps): string {
  const server = createRequire(import.meta.url)(join(built.dir, "server.cjs")) as {
    render(props: AppProps): string;
  };
  return server.render(props);
}

describe("React 18.3", () => {
  it("bundles React 18, not the workspace's 19", async () => {
    const bundle = await readFile(join(built.dir, "page.js"), "utf8");
    expect(bundle).toContain(`"${REACT_18}"`);
    expect(bundle).not.toMatch(/version = "19\./);
  });

  it("connects, follows a job run by server code, synced state and presence under StrictMode", async () => {
    const job = await hub.hub.jobs.create({
      owner: { userId: "alice" },
      visibility: "authenticated",
    });
    const alice = await open(await propsFor("alice", job.id));
    await alice.locator(".sy-badge--live").waitFor();
    await expect(alice.locator(".versions").textContent()).resolves.toBe(
      `react=${REACT_18} react-dom=${REACT_18}`,
    );
    await expect(alice.getByRole("status").first().textContent()).resolves.toBe("Live");
    await alice.locator(".connection", { hasText: /^connected$/ }).waitFor();

    await alice.locator('[role="progressbar"][aria-valuenow="0"]').waitFor();
    await job.progress(42, { step: "Segmenting" });
    await alice.locator('[role="progressbar"][aria-valuenow="42"]').waitFor();
    await job.complete();
    await alice.locator('[role="progressbar"][aria-valuenow="100"]').waitFor();

    await alice.locator(".damping", { hasText: /^0\.5$/ }).waitFor();
    await hub.hub.state("settings").set("damping", 0.8);
    await alice.locator(".damping", { hasText: /^0\.8$/ }).waitFor();

    await alice.locator(".presence", { hasText: /^1 here: alice$/ }).waitFor();
    const bob = await open(await propsFor("bob"));
    await bob.locator(".sy-badge--live").waitFor();
    await alice.locator(".presence", { hasText: /^2 here: alice, bob$/ }).waitFor();
  });

  it("hydrates React 18's renderToString output without a hydration error, then goes live", async () => {
    const job = await hub.hub.jobs.create({ owner: { userId: "carol" } });
    const props = await propsFor("carol", job.id);
    const html = serverRender(props);
    // The server snapshot: React 18 on the server, no client, the job not known yet.
    expect(html).toContain(`react=${REACT_18} react-dom=${REACT_18}`);
    expect(html).toContain('<li class="connection">disconnected</li>');
    const index = await readFile(join(built.dir, "index.html"), "utf8");
    const marked = index.replace('<main id="root"></main>', `<main id="root">${html}</main>`);
    expect(marked).not.toBe(index);
    await writeFile(join(built.dir, "hydrate.html"), marked);

    const page = await open(props, "hydrate.html");
    await page.locator(".sy-badge--live").waitFor();
    await page.locator(".connection", { hasText: /^connected$/ }).waitFor();
    await page.locator(".damping", { hasText: /^0\.\d$/ }).waitFor();
    await job.progress(25);
    await page.locator('[role="progressbar"][aria-valuenow="25"]').waitFor();
    // afterEach checks the console: React 18's development build logs any mismatch as an error.
  });
});
