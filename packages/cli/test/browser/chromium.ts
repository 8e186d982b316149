/**
 * Debian's Chromium driven by playwright-core: one browser per test file, a fresh profile,
 * and the inspector and browser SDK built from the current sources into a temporary directory.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/** The browser the tests drive; `.ci/run` installs Debian's `chromium` package when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags every browser test launches Chromium with. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Longest wait for anything in a page (an event, a status): a test stays well under 20 s. */
export const PAGE_TIMEOUT = 10_000;

/** A running Chromium with a throw-away profile. */
export interface Chromium {
  /** Opens a page that reports its uncaught errors and console errors to `errors`. */
  newPage(): Promise<Page>;
  /** Errors raised in pages since launch (a page error fails the test that reads them). */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Throws a clear message when the Chromium binary is missing: browser tests fail (never skip)
 * on a machine without it, so none can pass by accident.
 */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium ` +
        "package (apt-get install chromium; .ci/run installs it) or CHROMIUM_PATH set to a " +
        "Chromium binary.",
    );
  }
}

/**
 * Launches Chromium. Fails (never skips) with a clear message when the binary is missing, so
 * a machine without it cannot pass the browser tests by accident.
 */
export async function launchChromium(): Promise<Chromium> {
  assertChromium();
  const profile = await mkdtemp(join(tmpdir(), "switchyard-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const errors: string[] = [];
  return {
    errors,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(PAGE_TIMEOUT);
      page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const run = promisify(execFile);
const BUILD_SCRIPT = fileURLToPath(new URL("../../inspector/build.mjs", import.meta.url));

/**
 * Builds the inspector and the browser SDK (the package's `build:inspector` script) into a
 * temporary directory; returns it and the function that removes it.
 */
export async function buildInspector(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-inspector-"));
  await run(process.execPath, [BUILD_SCRIPT, "--outdir", dir]);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** What a browser test file gets: a running Chromium and the built inspector. */
export interface BrowserFixture {
  chromium: Chromium;
  /** The built inspector and browser SDK, for `inspectorDir`. */
  inspectorDir: string;
}

/**
 * Launches Chromium and builds the inspector once for the calling test file (closed and
 * removed after its last test). Returns the function each test awaits: when the launch or
 * the build failed, every test fails with that error, rather than being skipped.
 */
export function useBrowser(): () => Promise<BrowserFixture> {
  let ready: Promise<BrowserFixture> | undefined;
  let browser: Chromium | undefined;
  let built: Awaited<ReturnType<typeof buildInspector>> | undefined;
  beforeAll(async () => {
    const [launch, build] = await Promise.allSettled([launchChromium(), buildInspector()]);
    if (launch.status === "fulfilled") browser = launch.value;
    if (build.status === "fulfilled") built = build.value;
    if (browser && built) {
      ready = Promise.resolve({ chromium: browser, inspectorDir: built.dir });
      return;
    }
    const failed = [launch, build].find((result) => result.status === "rejected");
    ready = Promise.reject(failed?.reason);
    ready.catch(() => {}); // Reported by each test that awaits it.
  });
  afterAll(async () => {
    await browser?.close();
    await built?.remove();
  });
  return () => ready ?? Promise.reject(new Error("useBrowser: used outside a test"));
}
