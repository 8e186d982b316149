/**
 * The settings sync app for the README's picture: the high quality preset applied, a backend
 * changing a setting over the HTTP API, and an edit of the same setting that conflicts with it.
 */
import type { Page } from "playwright-core";
import { DEV_API_KEY } from "../../settings-sync/server.js";

export async function stage(page: Page, appUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.locator(".sy-badge--live").waitFor();
  await page.getByRole("button", { name: "High", exact: true }).click();
  await page.getByText("High quality applied").waitFor();
  await page.getByRole("slider", { name: "Iterations" }).press("PageDown");

  // The user starts typing a damping value while a backend sets another one.
  const field = page.getByRole("spinbutton", { name: "Damping, exact value" });
  await field.fill("0.8");
  const response = await fetch(new URL("api/state/settings", appUrl), {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${process.env.SETTINGS_SYNC_API_KEY ?? DEV_API_KEY}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ set: { "physics.damping": 0.9 }, by: "rust-backend" }),
  });
  if (!response.ok) throw new Error(`the HTTP API answered ${response.status}`);
  await page.getByText("while you edit").waitFor();
  await field.press("Enter");
  await page.getByRole("alert", { name: "Conflict" }).waitFor();
  await page.mouse.move(0, 0);
}
