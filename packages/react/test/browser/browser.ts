/**
 * Debian's Chromium driven by playwright-core, with separate browser contexts (two people on
 * two machines: no shared storage, no shared session), for the component tests.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import {
  assertChromium,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  PAGE_TIMEOUT,
} from "../../../cli/test/browser/chromium.js";

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
  assertChromium();
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
