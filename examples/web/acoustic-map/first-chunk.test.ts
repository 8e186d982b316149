/**
 * The time from clicking "Simulate" to the first rows of the map on screen (coloured pixels of
 * the new map's canvas, seen in an animation frame), at the app's own pace, over several runs.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { openApp } from "./testing.js";

const fixture = webAppsFixture();

const RUNS = 7;

describe("acoustic app: time to first chunk", () => {
  it(`"Simulate" to the first rows on screen, median of ${RUNS} runs`, {
    timeout: 55_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const page = await openApp(browser, `${apps.appUrl("acoustic-map")}?project=timing`);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await page.getByRole("button", { name: "Simulate" }).waitFor();
      const elapsed = await page.evaluate(`new Promise((resolve, reject) => {
        const canvas = () => document.querySelector('canvas[aria-label="SPL heat map"]');
        const before = canvas()?.dataset.job;
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Simulate");
        const started = performance.now();
        button.click();
        const check = () => {
          const heat = canvas();
          if (performance.now() - started > 10000) return reject(new Error("no chunk in 10 s"));
          if (heat && heat.dataset.job && heat.dataset.job !== before && Number(heat.dataset.jobRows) > 0) {
            const data = heat.getContext("2d").getImageData(0, 0, heat.width, heat.height).data;
            for (let i = 3; i < data.length; i += 4) {
              if (data[i] > 0) return resolve(performance.now() - started);
            }
          }
          requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      })`);
      times.push(elapsed as number);
      await page
        .locator(".map-job .sy-job__status", { hasText: "Completed" })
        .waitFor({ timeout: 20_000 });
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(RUNS / 2)] as number;
    process.stdout.write(
      `Simulate → first chunk on screen: median ${median.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(", ")} ms)\n`,
    );
    expect(median).toBeGreaterThan(0);
    expect(median).toBeLessThan(3_000);
    await page.context().close();
    expect(browser.errors).toEqual([]);
  });
});
