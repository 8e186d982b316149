/**
 * `npm run screenshots -w examples/web`: a picture of the launcher and of each app from a real
 * run, into `docs/images/<name>.png` (1280×800). Each app's `screenshot.ts` exports
 * `stage(page, appUrl)`, which opens the app and brings it to a state worth showing (a finished
 * map, an analysis with results) by using it as a person would. The apps are built first when
 * their sources changed.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { APPS } from "./catalog.js";
import { startWebApps } from "./server.js";
import { ensureBuilt } from "./test/build.js";
import { launchAppBrowser } from "./test/support.js";

/** What an app's `screenshot.ts` exports. */
export type Stage = (page: Page, appUrl: string) => Promise<void>;

const IMAGES = fileURLToPath(new URL("../../docs/images/", import.meta.url));
const only = process.argv.slice(2);

await ensureBuilt();
await mkdir(IMAGES, { recursive: true });
const apps = await startWebApps();
const browser = await launchAppBrowser();
try {
  if (only.length === 0 || only.includes("launcher")) {
    const page = await browser.newPage();
    await page.goto(apps.url);
    await page.locator(".app-card").first().waitFor();
    await page.screenshot({ path: `${IMAGES}launcher.png` });
    process.stdout.write(`docs/images/launcher.png\n`);
  }
  for (const app of APPS) {
    if (only.length > 0 && !only.includes(app.name)) continue;
    const module = new URL(`./${app.name}/screenshot.ts`, import.meta.url);
    if (!existsSync(module)) {
      process.stdout.write(`${app.name}: no screenshot.ts, skipped\n`);
      continue;
    }
    const { stage } = (await import(module.href)) as { stage: Stage };
    const page = await browser.newPage();
    await stage(page, apps.appUrl(app.name));
    await page.screenshot({ path: `${IMAGES}${app.name}.png` });
    process.stdout.write(`docs/images/${app.name}.png\n`);
    await page.context().close();
  }
  if (browser.errors.length > 0) throw new Error(`page errors:\n${browser.errors.join("\n")}`);
} finally {
  await browser.close();
  await apps.close();
}
