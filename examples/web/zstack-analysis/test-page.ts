/**
 * What the analyser's browser tests do on a page, as a person would: open the app, start an
 * analysis from the form, read the cards' progress bars and the canvas.
 */
import type { Locator, Page } from "playwright-core";

/** Opens the app and waits until its badge says Live. */
export async function openApp(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.locator(".sy-badge--live").waitFor();
}

/** What to choose in the form (labels as on screen). */
export interface StartChoice {
  stack: RegExp;
  pace?: "Full speed" | "15 ms a slice" | "40 ms a slice";
  failure?: string;
}

/** Fills the form and starts an analysis; resolves once its card is listed. */
export async function startAnalysis(page: Page, choice: StartChoice): Promise<void> {
  const form = page.getByRole("form", { name: "New analysis" });
  const before = await page.evaluate(
    () => document.querySelector(".zs-job")?.getAttribute("data-job") ?? null,
  );
  await form.getByRole("radio", { name: choice.stack }).check();
  await form.getByLabel("Pace").selectOption({ label: choice.pace ?? "Full speed" });
  await form.getByLabel("Simulate a failure").selectOption({ label: choice.failure ?? "Never" });
  await form.getByRole("button", { name: "Start analysis" }).click();
  await page.waitForFunction((previous) => {
    const newest = document.querySelector(".zs-job")?.getAttribute("data-job");
    return newest !== undefined && newest !== null && newest !== previous;
  }, before);
}

/** The newest analysis' card (the list is newest first). */
export function newestCard(page: Page): Locator {
  return page.locator(".zs-job").first();
}

/** The progress bar's aria-valuenow of a card. */
export async function progressOf(card: Locator): Promise<number> {
  return Number(await card.getByRole("progressbar").getAttribute("aria-valuenow"));
}

/**
 * Records every value the newest card's progress bar shows from now on (a MutationObserver
 * on its aria-valuenow); `read()` returns them in order.
 */
export async function recordProgress(page: Page) {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    const bar = document.querySelector(".zs-job [role=progressbar]");
    if (!bar) throw new Error("no progress bar");
    seen.push(Number(bar.getAttribute("aria-valuenow")));
    new MutationObserver(() => seen.push(Number(bar.getAttribute("aria-valuenow")))).observe(bar, {
      attributes: true,
      attributeFilter: ["aria-valuenow"],
    });
  });
  return {
    read: () => page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen),
    reached: (value: number) =>
      page.waitForFunction(
        (target) => (window as unknown as { progressSeen: number[] }).progressSeen.includes(target),
        value,
        { timeout: 30_000 },
      ),
  };
}

/**
 * Pixels of the results' slice canvas: how many are coloured (an object's overlay: the
 * channels differ) and how many grey (the image alone).
 */
export async function slicePixels(page: Page, within: Locator = page.locator("body")) {
  const canvas = within.locator("canvas[aria-label^='Slice z']");
  await canvas.waitFor();
  return canvas.evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2d context");
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    let grey = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
      else if (r === g && g === b) grey++;
    }
    return { width: canvas.width, height: canvas.height, coloured, grey };
  });
}
