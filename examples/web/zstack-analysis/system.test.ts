/**
 * The analyser's system status and a hub restart in real Chromium: the panel shows the hub's
 * status every 5 s (the real interval: at least two updates within 12 s), with the running
 * analysis counted; after the hub restarts the badge goes Reconnecting, then Live, and the
 * page catches up without a reload.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { newestCard, openApp, startAnalysis } from "./test-page.js";

const fixture = webAppsFixture();

describe("zstack-analysis web app: system status and restarts", () => {
  it("refreshes the system status every 5 s — at least two updates within 12 s — counting the running analysis", async () => {
    const { apps, browser } = await fixture();
    const page = await browser.newPage();
    await openApp(page, apps.appUrl("zstack-analysis"));
    const panel = page.getByRole("region", { name: "System status" });
    await panel.locator(".zs-updated").waitFor();
    await startAnalysis(page, { stack: /Large volume/, pace: "40 ms a slice" });

    // Every status shown, as the panel shows it: its time, and the analyses it counts.
    const started = Date.now();
    const seen = await page.waitForFunction(
      () => {
        const state = window as unknown as { statuses?: Map<string, string> };
        state.statuses ??= new Map();
        const time = document.querySelector(".zs-updated")?.getAttribute("datetime");
        const counts = document.querySelector(".zs-counts")?.textContent ?? "";
        if (time && !state.statuses.has(time)) state.statuses.set(time, counts);
        return state.statuses.size >= 3 ? [...state.statuses.entries()] : false;
      },
      undefined,
      { timeout: 12_000, polling: 100 },
    );
    const statuses = (await seen.jsonValue()) as [string, string][];
    expect(Date.now() - started).toBeLessThan(12_000);
    const times = statuses.map(([time]) => Date.parse(time));
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(4_000);
    expect(times[2]! - times[1]!).toBeLessThanOrEqual(7_000);
    // Once the analysis runs, the status counts it as active.
    expect(statuses.at(-1)![1]).toMatch(/Active1/);

    await newestCard(page).getByRole("button", { name: "Cancel" }).click();
    await newestCard(page).filter({ hasText: "Cancelled" }).waitFor();
    expect(browser.errors).toEqual([]);
    await page.context().close();
  }, 40_000);

  it("goes Reconnecting then Live through a hub restart, and catches up without a reload", async () => {
    const { apps, browser } = await fixture();
    const page = await browser.newPage();
    await openApp(page, apps.appUrl("zstack-analysis"));
    await startAnalysis(page, { stack: /Sparse cells/ });
    await newestCard(page).filter({ hasText: "Completed" }).waitFor();
    // A mark that a reload would wipe.
    await page.evaluate(() => {
      (window as unknown as { mark: string }).mark = "no reload";
    });

    await apps.stop();
    await page.locator(".sy-badge", { hasText: "Reconnecting" }).waitFor();
    const restartedAt = Date.now();
    await apps.start();
    await page.locator(".sy-badge", { hasText: "Live" }).waitFor({ timeout: 15_000 });

    // The new hub's first status (its snapshot) shows at once: measured after the restart.
    await page.waitForFunction((since) => {
      const time = document.querySelector(".zs-updated")?.getAttribute("datetime");
      return time !== undefined && time !== null && Date.parse(time) >= since;
    }, restartedAt);
    // The list is the new hub's: it kept no analysis (its jobs live in memory), so the page
    // shows none rather than a stale card; a new analysis runs and shows its results.
    await page.getByText("No analysis yet.").waitFor();
    await startAnalysis(page, { stack: /Sparse cells/ });
    await newestCard(page).filter({ hasText: "Completed" }).waitFor();
    await page
      .getByRole("region", { name: "Results" })
      .getByRole("img", { name: /^Slice z \d+ of 32/ })
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { mark?: string }).mark)).toBe(
      "no reload",
    );
    expect(browser.errors).toEqual([]);
    await page.context().close();
  }, 45_000);
});
