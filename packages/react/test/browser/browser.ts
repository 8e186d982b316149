/**
 * Debian's Chromium driven by playwright-core, with separate browser contexts (two people on
 * two machines: no shared storage, no shared session), for the component tests.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** The browser the tests drive; `.ci/run` installs Debian's `chromium` package when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Longest wait for anything in a page: a test stays well under its 20 s. */
export const PAGE_TIMEOUT = 10_000;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** A running Chromium; `errors` collects what pages threw or logged as errors. */
export interface Chromium {
  /** A page in a new browser context (its own storage), closed with the browser. */
  newPage(): Promise<Page>;
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Launches Chromium. Fails (never skips) when the binary is missing, so a machine without it
 * cannot pass the browser tests by accident.
 */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium ` +
        "package (apt-get install chromium) or CHROMIUM_PATH set to a Chromium binary.",
    );
  }
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  const errors: string[] = [];
  return {
    errors,
    async newPage() {
      // Reduced motion: no bar still sliding when a screenshot is taken; sharp screenshots.
      const context = await browser.newContext({
        viewport: { width: 520, height: 720 },
        deviceScaleFactor: 2,
        reducedMotion: "reduce",
      });
      const page = await context.newPage();
      page.setDefaultTimeout(PAGE_TIMEOUT);
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`console: ${message.text()}`);
      });
      return page;
    },
    close: () => browser.close(),
  };
}
