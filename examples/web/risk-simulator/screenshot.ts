/**
 * The screenshot's scene: a real-estate crash run (seed 5) at its normal pace, both of its
 * decisions answered as recommended, a few steps after the second, with the defaults it
 * brought in the feed.
 */
import type { Page } from "playwright-core";

export async function stage(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByLabel("Scenario").selectOption("real_estate_crash");
  await page.getByLabel("Seed").fill("5");
  await page.getByRole("button", { name: "Start simulation" }).click();
  await page.waitForURL(/\?sim=/);
  for (const title of ["Risk Alert: High NPA Levels", "Systemic stress: banks near failure"]) {
    const dialog = page.getByRole("dialog", { name: title });
    await dialog.waitFor({ timeout: 60_000 });
    await dialog.getByRole("button", { name: "Apply recommended" }).click();
    await dialog.waitFor({ state: "hidden" });
  }
  await page.waitForFunction(
    () => Number(document.querySelector(".health-chart")?.getAttribute("data-last")) >= 68,
    undefined,
    { timeout: 60_000 },
  );
}
