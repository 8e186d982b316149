/**
 * The README's picture of the acoustic simulator: a finished SPL map, the optimiser some
 * generations in (its chart and its best layout on the plan), and the level under the pointer.
 */
import type { Page } from "playwright-core";

export async function stage(page: Page, appUrl: string): Promise<void> {
  await page.goto(`${appUrl}?project=tour`);
  await page.getByLabel("Frequency").waitFor();
  await page.getByRole("button", { name: "Simulate" }).click();
  await page.locator(".map-job .sy-job__status", { hasText: "Completed" }).waitFor({
    timeout: 30_000,
  });
  await page.getByRole("button", { name: "Optimise" }).click();
  await page.waitForFunction(
    () => {
      const label = document.querySelector(".chart")?.getAttribute("aria-label") ?? "";
      return Number(/(\d+) generations/.exec(label)?.[1] ?? 0) >= 15;
    },
    undefined,
    { timeout: 30_000 },
  );
  const heat = await page.locator('canvas[aria-label="SPL heat map"]').boundingBox();
  if (heat) {
    await page.mouse.move(heat.x + heat.width * 0.42, heat.y + heat.height * 0.3);
    await page
      .getByRole("status", { name: "Level under the pointer" })
      .locator("strong", { hasText: "dB" })
      .waitFor();
  }
}
