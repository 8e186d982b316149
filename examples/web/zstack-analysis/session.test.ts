/**
 * The analyser's session in real Chromium: two tabs of one browser (one person, one session)
 * see the same analyses and progress at once, closing one tab cancels nothing, and another
 * person (a second browser context) sees none of them. The results show the metrics and a
 * slice with the segmentation drawn over it.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { newestCard, openApp, recordProgress, slicePixels, startAnalysis } from "./test-page.js";

const fixture = webAppsFixture();

describe("zstack-analysis web app: one session across tabs, private to its browser", () => {
  it("shows a tab's analysis in the other tab at once, progress rising to 100, and hides it from another user", async () => {
    const { apps, browser } = await fixture();
    const url = apps.appUrl("zstack-analysis");
    const alice = await browser.newContext();
    const first = await browser.newPage(alice);
    await openApp(first, url);
    const second = await browser.newPage(alice);
    await openApp(second, url);
    const bob = await browser.newPage(await browser.newContext());
    await openApp(bob, url);

    await startAnalysis(first, { stack: /Sparse cells/, pace: "15 ms a slice" });
    const jobId = await newestCard(first).getAttribute("data-job");
    // The other tab lists it without a reload, while it runs.
    const mirrored = second.locator(`.zs-job[data-job="${jobId}"]`);
    await mirrored.waitFor();
    const progress = await recordProgress(second);
    expect(await mirrored.getByRole("status").first().textContent()).toMatch(/Running|Queued/);
    // Closing the tab that started it cancels nothing: the other tab follows it to the end.
    await first.close();
    await progress.reached(100);
    const seen = await progress.read();
    // The bar rose step by step, never back, to 100.
    expect(seen.at(-1)).toBe(100);
    expect(seen.every((value, index) => index === 0 || value >= seen[index - 1]!)).toBe(true);
    expect(new Set(seen.filter((value) => value > 0 && value < 100)).size).toBeGreaterThan(3);
    await mirrored.filter({ hasText: "Completed" }).waitFor();

    // The results: metrics and a slice with coloured objects on a grey image.
    const results = second.getByRole("region", { name: "Results" });
    await results
      .getByRole("term")
      .filter({ hasText: /^Objects$/ })
      .waitFor();
    expect(await results.locator(".zs-figure").first().textContent()).toMatch(/Objects\d+ of \d+/);
    expect(await results.locator(".zs-objects tbody tr").count()).toBeGreaterThan(0);
    const pixels = await slicePixels(second, results);
    expect(pixels).toMatchObject({ width: 64, height: 64 });
    expect(pixels.coloured).toBeGreaterThan(20);
    expect(pixels.grey).toBeGreaterThan(64 * 64 * 0.5);
    // The first slice has no objects: moving the slider there redraws a grey picture.
    await results.getByRole("slider").fill("0");
    await results.getByRole("img", { name: /^Slice z 0 of 32 with 0 objects/ }).waitFor();
    expect((await slicePixels(second, results)).coloured).toBe(0);

    // A tab opened now (same browser) lists it too, finished.
    const third = await browser.newPage(alice);
    await openApp(third, url);
    await third.locator(`.zs-job[data-job="${jobId}"]`, { hasText: "Completed" }).waitFor();

    // Another person sees none of it.
    const theirs = bob.getByRole("region", { name: "Analyses" });
    expect(await theirs.getByText("No analysis yet.").isVisible()).toBe(true);
    expect(await bob.locator(".zs-job").count()).toBe(0);
    expect(browser.errors).toEqual([]);
    await alice.close();
    await bob.context().close();
  }, 60_000);
});
