/**
 * The picture of the z-stack analyser in docs/images: a dense culture analysed to the end (its
 * objects, metrics and a slice with the segmentation), and a large volume still running.
 */
import type { Page } from "playwright-core";

export async function stage(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.locator(".sy-badge--live").waitFor();
  const form = page.getByRole("form", { name: "New analysis" });
  await form.getByRole("radio", { name: /Dense culture/ }).check();
  await form.getByLabel("Pace").selectOption({ label: "Full speed" });
  await form.getByRole("button", { name: "Start analysis" }).click();
  await page.getByRole("button", { name: "Showing results" }).waitFor({ timeout: 30_000 });
  await page.locator("canvas[aria-label^='Slice z']").waitFor();

  await form.getByRole("radio", { name: /Large volume/ }).check();
  await form.getByLabel("Pace").selectOption({ label: "40 ms a slice" });
  await form.getByRole("button", { name: "Start analysis" }).click();
  await page.waitForFunction(
    () => {
      const bars = [...document.querySelectorAll("[role=progressbar]")];
      return bars.some((bar) => {
        const value = Number(bar.getAttribute("aria-valuenow"));
        return value > 20 && value < 100;
      });
    },
    undefined,
    { timeout: 30_000 },
  );
}
