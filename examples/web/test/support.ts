/**
 * What the example apps' browser tests share: the web apps server in-process (restartable on
 * the same port, as a redeployed hub), and Debian's Chromium with separate browser contexts
 * (two people: no shared storage) whose pages are tabs of one browser (one person: shared
 * storage and session).
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import {
  assertChromium,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  PAGE_TIMEOUT,
} from "../../../packages/cli/test/browser/chromium.js";
import { startWebApps, type WebApps, type WebAppsOptions } from "../server.js";

export { PAGE_TIMEOUT };

/** The web apps server of a test file. */
export interface TestApps {
  /** The launcher's URL. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/<name>/` */
  appUrl(name: string): string;
  /** The running server (a new one after each restart). */
  current(): WebApps;
  /** Stops every hub and the server: pages see their connection drop and retry. */
  stop(): Promise<void>;
  /** Starts again on the same port, with new hubs (as after a redeploy). */
  start(): Promise<void>;
  /** `stop()` then `start()`. */
  restart(): Promise<void>;
}

/** Starts the web apps server on a free port. */
export async function startTestApps(options: WebAppsOptions = {}): Promise<TestApps> {
  let apps: WebApps | undefined = await startWebApps({ ...options, port: 0 });
  const { port, url } = apps;
  const running = () => {
    if (!apps) throw new Error("the web apps server is stopped");
    return apps;
  };
  const control: TestApps = {
    url,
    appUrl: (name) => `${url}${name}/`,
    current: running,
    async stop() {
      const stopping = apps;
      apps = undefined;
      await stopping?.close();
    },
    async start() {
      if (apps) return;
      apps = await startWebApps({ ...options, port });
    },
    async restart() {
      await control.stop();
      await control.start();
    },
  };
  return control;
}

/** A running Chromium. */
export interface AppBrowser {
  /** A new browser context: another person, with storage of its own. */
  newContext(): Promise<BrowserContext>;
  /** A new tab in `context` (a new context when absent), failing on page errors. */
  newPage(context?: BrowserContext): Promise<Page>;
  /** Errors the pages threw or logged (a dropped WebSocket's console line is not one). */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Launches Chromium; fails (never skips) when the binary is missing. */
export async function launchAppBrowser(): Promise<AppBrowser> {
  assertChromium();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  const errors: string[] = [];
  const newContext = () =>
    browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  return {
    errors,
    newContext,
    async newPage(context) {
      const page = await (context ?? (await newContext())).newPage();
      page.setDefaultTimeout(PAGE_TIMEOUT);
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        const text = message.text();
        // A hub that restarts makes Chromium log each refused WebSocket attempt.
        if (message.type() === "error" && !/WebSocket connection to .* failed/.test(text)) {
          errors.push(`console: ${text}`);
        }
      });
      return page;
    },
    close: () => browser.close(),
  };
}

/** What a test file gets from {@link webAppsFixture}. */
export interface WebAppsFixture {
  apps: TestApps;
  browser: AppBrowser;
}

/**
 * Starts the web apps server and Chromium once for the calling test file (both stopped after
 * its last test). Returns the function each test awaits: when either failed to start, every
 * test fails with that error rather than being skipped.
 */
export function webAppsFixture(options: WebAppsOptions = {}): () => Promise<WebAppsFixture> {
  let ready: Promise<WebAppsFixture> | undefined;
  let apps: TestApps | undefined;
  let browser: AppBrowser | undefined;
  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([
      startTestApps(options),
      launchAppBrowser(),
    ]);
    if (started.status === "fulfilled") apps = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (apps && browser) {
      ready = Promise.resolve({ apps, browser });
      return;
    }
    const failed = [started, launched].find((result) => result.status === "rejected");
    ready = Promise.reject(failed?.reason);
    ready.catch(() => {}); // Reported by each test that awaits it.
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await apps?.stop();
  });
  return () => ready ?? Promise.reject(new Error("webAppsFixture: used outside a test"));
}
