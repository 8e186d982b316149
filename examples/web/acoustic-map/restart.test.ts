/**
 * A hub restart in real Chromium, two people: both badges go Reconnecting then Live, and the
 * screens catch up with the new hub without a reload — its project document, its presence —
 * and keep working together (a parameter, a simulation).
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { badge, heatPixels, openApp } from "./testing.js";

const fixture = webAppsFixture();

describe("acoustic app: hub restart", () => {
  it("goes Reconnecting then Live and catches up without a reload", {
    timeout: 55_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const url = `${apps.appUrl("acoustic-map")}?project=restart`;
    const a = await openApp(browser, url);
    const b = await openApp(browser, url);
    await a.getByLabel("Frequency").fill("2000");
    await expect.poll(() => b.getByLabel("Frequency").inputValue()).toBe("2000");
    // Reloads would reset this marker: the pages below are the same documents throughout.
    await Promise.all([a, b].map((page) => page.evaluate("window.sameDocument = true")));

    await apps.stop();
    for (const page of [a, b]) {
      await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("Reconnecting");
    }
    await apps.start();
    for (const page of [a, b]) {
      await expect.poll(() => badge(page).textContent(), { timeout: 20_000 }).toBe("Live");
    }
    // The new hub started from the defaults (its memory broker is new): both screens show them.
    for (const page of [a, b]) {
      await expect.poll(() => page.getByLabel("Frequency").inputValue()).toBe("1000");
      await expect.poll(() => page.getByRole("list", { name: "2 people here" }).count()).toBe(1);
    }
    // And they work together again.
    await b.getByLabel("Frequency").fill("500");
    await expect.poll(() => a.getByLabel("Frequency").inputValue()).toBe("500");
    await a.getByRole("button", { name: "Simulate" }).click();
    await expect.poll(async () => (await heatPixels(b)).coloured).toBeGreaterThan(0);
    for (const page of [a, b]) {
      expect(await page.evaluate("window.sameDocument")).toBe(true);
    }
    await Promise.all([a, b].map((page) => page.context().close()));
    expect(browser.errors).toEqual([]);
  });
});
