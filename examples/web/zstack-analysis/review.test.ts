/**
 * The analyser's review in real Chromium: a result below 0.7 confidence opens the review
 * dialog in every tab of the session, and the decision made in one reaches the job (it
 * completes with it) and closes the dialog in the other.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { newestCard, openApp, progressOf, startAnalysis } from "./test-page.js";

const fixture = webAppsFixture();

describe("zstack-analysis web app: review", () => {
  it("asks for review below 0.7 in a dialog in every tab, and the answer reaches the job", async () => {
    const { apps, browser } = await fixture();
    const url = apps.appUrl("zstack-analysis");
    const context = await browser.newContext();
    const first = await browser.newPage(context);
    await openApp(first, url);
    const second = await browser.newPage(context);
    await openApp(second, url);

    for (const [decision, shown] of [
      ["Accept result", "Accepted"],
      ["Reject result", "Rejected"],
    ] as const) {
      await startAnalysis(first, { stack: /Noisy acquisition/ });
      const jobId = await newestCard(first).getAttribute("data-job");
      const dialogs = [first, second].map((page) =>
        page.getByRole("dialog", { name: "Review needed" }),
      );
      for (const dialog of dialogs) {
        // The analysis runs first (a few seconds on a busy machine).
        await dialog.waitFor({ timeout: 20_000 });
        const text = (await dialog.textContent()) ?? "";
        const confidence = Number(/Confidence (\d\.\d+)/.exec(text)?.[1]);
        expect(confidence).toBeLessThan(0.7);
        expect(text).toContain("Review segmentation boundaries");
        // The slice of the doubtful segmentation is in the dialog.
        await dialog.getByRole("img", { name: /^Slice z \d+ of 32/ }).waitFor();
      }
      // The job waits for the answer: full progress, still running.
      const card = second.locator(`.zs-job[data-job="${jobId}"]`);
      expect(await progressOf(card)).toBe(100);
      expect(await card.getByRole("status").first().textContent()).toBe("Running");

      await dialogs[0]!.getByRole("button", { name: decision }).click();
      // Answered in one tab: the dialog closes in both, and the job completes with it.
      for (const dialog of dialogs) await dialog.waitFor({ state: "hidden" });
      for (const page of [first, second]) {
        const done = page.locator(`.zs-job[data-job="${jobId}"]`, { hasText: "Completed" });
        await done.waitFor();
        await done.getByRole("button", { name: /View results|Showing results/ }).click();
        const review = page
          .getByRole("region", { name: "Results" })
          .locator(".zs-figure", { has: page.getByRole("term").filter({ hasText: "Review" }) });
        expect(await review.getByRole("definition").textContent()).toBe(shown);
      }
    }
    expect(browser.errors).toEqual([]);
    await context.close();
  }, 50_000);
});
