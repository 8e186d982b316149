/**
 * The analyser's cancel and retry in real Chromium: Cancel stops a running analysis in every
 * tab; a retryable failure stays on screen with Retry, which runs the analysis again.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { newestCard, openApp, progressOf, startAnalysis } from "./test-page.js";

const fixture = webAppsFixture();

describe("zstack-analysis web app: cancel and retry", () => {
  it("cancels a running analysis in every tab; a retryable failure keeps its toast, and Retry runs it again", async () => {
    const { apps, browser } = await fixture();
    const url = apps.appUrl("zstack-analysis");
    const context = await browser.newContext();
    const page = await browser.newPage(context);
    await openApp(page, url);
    const other = await browser.newPage(context);
    await openApp(other, url);
    await page.bringToFront();

    await startAnalysis(page, { stack: /Large volume/, pace: "40 ms a slice" });
    const card = newestCard(page);
    const jobId = await card.getAttribute("data-job");
    await page.waitForFunction(
      (id) =>
        Number(
          document
            .querySelector(`.zs-job[data-job="${id}"] [role=progressbar]`)
            ?.getAttribute("aria-valuenow"),
        ) > 0,
      jobId,
    );
    await card.getByRole("button", { name: "Cancel" }).click();
    for (const tab of [page, other]) {
      const cancelled = tab.locator(`.zs-job[data-job="${jobId}"]`, { hasText: "Cancelled" });
      await cancelled.waitFor();
      expect(await progressOf(cancelled)).toBeLessThan(100);
      expect(await cancelled.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    }

    await startAnalysis(page, {
      stack: /Sparse cells/,
      pace: "15 ms a slice",
      failure: "During the blur",
    });
    const failed = newestCard(page);
    const failedId = await failed.getAttribute("data-job");
    await failed.filter({ hasText: "Failed" }).waitFor();
    expect(await failed.getByRole("alert").textContent()).toContain(
      "lost during Gaussian blur (simulated)",
    );
    const toast = page.locator("[data-sonner-toast]", { hasText: "Analysis failed" });
    await toast.waitFor();
    const toastShownAt = Date.now();

    // Retry from the card: the same analysis again, without the failure.
    await failed.getByRole("button", { name: "Retry" }).click();
    await page.waitForFunction(
      (id) => document.querySelector(".zs-job")?.getAttribute("data-job") !== id,
      failedId,
    );
    const retried = newestCard(page);
    expect(await retried.textContent()).toContain("retry");
    await retried.filter({ hasText: "Completed" }).waitFor({ timeout: 30_000 });
    expect(await progressOf(retried)).toBe(100);
    // The failure's toast is still there, well past a toast's usual 4 s.
    expect(Date.now() - toastShownAt).toBeGreaterThan(4_500);
    expect(await toast.isVisible()).toBe(true);

    // Retry from the toast: another run.
    const retriedId = await retried.getAttribute("data-job");
    await toast.getByRole("button", { name: "Retry" }).click();
    await page.waitForFunction(
      (id) => document.querySelector(".zs-job")?.getAttribute("data-job") !== id,
      retriedId,
    );
    expect(await newestCard(page).textContent()).toContain("retry");
    expect(browser.errors).toEqual([]);
    await context.close();
  }, 55_000);
});
