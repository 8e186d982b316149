/**
 * Stopping in real Chromium, two people: Stop in one browser ends the map the other started,
 * on both screens; the optimiser's chart grows generation by generation with the best layout
 * on both plans, stops for both, and its layout applies for both.
 */
import { describe, expect, it } from "vitest";
import { createAcousticApp } from "../../acoustic-map/server.js";
import { webAppsFixture } from "../test/support.js";
import { heatPixels, openApp, sourcePosition } from "./testing.js";

// Slow jobs: the stops surely come before the end, even on a busy machine.
const fixture = webAppsFixture({
  hubs: { "acoustic-map": createAcousticApp({ chunkInterval: 250, generationInterval: 250 }) },
});

describe("acoustic app: stop", () => {
  it("Stop ends the map and the optimiser on both screens; the chart grows per generation", {
    timeout: 50_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const url = `${apps.appUrl("acoustic-map")}?project=stop`;
    const a = await openApp(browser, url);
    const b = await openApp(browser, url);
    await a.getByRole("button", { name: "Simulate" }).click();
    await expect.poll(async () => (await heatPixels(b)).coloured).toBeGreaterThan(0);
    // B stops the map A started.
    await b.getByRole("button", { name: "Stop", exact: true }).click();
    for (const page of [a, b]) {
      await expect
        .poll(() => page.locator(".map-job .sy-job__status").textContent())
        .toBe("Cancelled");
      await page.getByRole("button", { name: "Simulate" }).waitFor();
    }
    const value = Number(
      await a.getByRole("progressbar", { name: "SPL map" }).getAttribute("aria-valuenow"),
    );
    expect(value).toBeLessThan(100);

    await a.getByRole("button", { name: "Optimise" }).click();
    const chart = (page: typeof a) => page.getByRole("img", { name: /^Fitness per generation/ });
    const generations = async (page: typeof a) =>
      Number(
        /(\d+) generations/.exec((await chart(page).getAttribute("aria-label")) ?? "")?.[1] ?? 0,
      );
    await expect.poll(() => generations(b)).toBeGreaterThanOrEqual(3);
    const some = await generations(b);
    await expect.poll(() => generations(b)).toBeGreaterThan(some);
    // The best layout so far is drawn on both plans.
    await expect.poll(() => b.locator(".plan__best").count()).toBe(3);
    await a.getByRole("button", { name: "Stop optimiser" }).click();
    for (const page of [a, b]) {
      await expect
        .poll(() => page.locator(".optimiser .sy-job__status").textContent())
        .toBe("Cancelled");
    }
    const stoppedAt = await generations(a);
    expect(stoppedAt).toBeLessThan(40);
    expect(await generations(b)).toBe(stoppedAt);

    // Applying the best layout moves the sources for both.
    const before = await sourcePosition(b, "fill");
    await a.getByRole("button", { name: "Apply layout" }).click();
    await expect.poll(() => sourcePosition(b, "fill")).not.toEqual(before);
    expect(await sourcePosition(b, "fill")).toEqual(await sourcePosition(a, "fill"));
    await Promise.all([a, b].map((page) => page.context().close()));
    expect(browser.errors).toEqual([]);
  });
});
