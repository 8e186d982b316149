/**
 * Two people in one project, in real Chromium (two browser contexts): a source dragged by one
 * moves live on the other's screen; a bad parameter shows the hub's message and suggestion,
 * and only accepted values reach the other person.
 */
import { describe, expect, it } from "vitest";
import { webAppsFixture } from "../test/support.js";
import { openApp, sourceCentre, sourcePosition } from "./testing.js";

const fixture = webAppsFixture();

describe("acoustic app: two people in one project", () => {
  it("a source dragged in A moves live in B, and B sees where A dropped it", {
    timeout: 45_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const url = `${apps.appUrl("acoustic-map")}?project=drag`;
    const a = await openApp(browser, url);
    const b = await openApp(browser, url);
    // Both are listed as present, on both screens.
    for (const page of [a, b]) {
      await expect.poll(() => page.getByRole("list", { name: "2 people here" }).count()).toBe(1);
      await expect.poll(() => page.getByText("(you)").count()).toBe(1);
    }

    const before = await sourcePosition(b, "fill");
    expect(before).toEqual({ x: 1, y: 2 });
    const start = await sourceCentre(a, "fill");
    await a.mouse.move(start.x, start.y);
    await a.mouse.down();
    await a.mouse.move(start.x + 120, start.y - 60, { steps: 8 });
    // Still held in A: B already shows the source moved to the right and up.
    await expect
      .poll(async () => (await sourcePosition(b, "fill")).x, { timeout: 5_000 })
      .toBeGreaterThan(before.x + 2);
    expect((await sourcePosition(b, "fill")).y).toBeGreaterThan(before.y);
    await expect
      .poll(() => b.getByRole("button", { name: /^fill at / }).getAttribute("class"))
      .toContain("plan__source--remote");
    await a.mouse.move(start.x + 200, start.y - 100, { steps: 8 });
    await a.mouse.up();

    // The drop is stored: B ends exactly where A put it, on screen too.
    const dropped = await sourcePosition(a, "fill");
    expect(dropped.x).toBeGreaterThan(before.x + 4);
    await expect.poll(() => sourcePosition(b, "fill")).toEqual(dropped);
    const inA = await sourceCentre(a, "fill");
    await expect
      .poll(async () => {
        const inB = await sourceCentre(b, "fill");
        return Math.hypot(inB.x - inA.x, inB.y - inA.y);
      })
      .toBeLessThan(1.5);
    // A third person opening the project later sees the stored position.
    const c = await openApp(browser, url);
    await expect.poll(() => sourcePosition(c, "fill")).toEqual(dropped);
    await Promise.all([a, b, c].map((page) => page.context().close()));
    expect(browser.errors).toEqual([]);
  });

  it("an invalid parameter shows the hub's message and suggestion; both see accepted values", {
    timeout: 45_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const url = `${apps.appUrl("acoustic-map")}?project=params`;
    const a = await openApp(browser, url);
    const b = await openApp(browser, url);
    const frequency = (page: typeof a) => page.getByLabel("Frequency");

    await frequency(a).fill("50000");
    const alert = a.getByRole("alert");
    await expect
      .poll(() => alert.textContent())
      .toContain("Too big: expected number to be <=20000");
    await expect.poll(() => alert.textContent()).toContain("Use 20000");
    expect(await frequency(a).getAttribute("aria-invalid")).toBe("true");
    // The refused value never reached B.
    expect(await frequency(b).inputValue()).toBe("1000");

    await a.getByRole("button", { name: "Use 20000" }).click();
    await expect.poll(() => frequency(b).inputValue()).toBe("20000");
    await expect.poll(() => alert.count()).toBe(0);
    expect(await frequency(a).inputValue()).toBe("20000");

    // A grid too fine for the room: the hub suggests the finest one that fits.
    await a.getByLabel("Grid resolution").fill("0.05");
    await expect
      .poll(() => a.getByRole("alert").textContent())
      .toMatch(/too fine: at most 100000 cells Use 0\.\d+/);
    expect(await b.getByLabel("Grid resolution").inputValue()).toBe("0.1");

    // A change in B reaches A.
    await b.getByLabel("main-left power").fill("96");
    await expect.poll(() => a.getByLabel("main-left power").inputValue()).toBe("96");
    await b.getByLabel("fill pattern").selectOption("hypercardioid");
    await expect.poll(() => a.getByLabel("fill pattern").inputValue()).toBe("hypercardioid");
    await Promise.all([a, b].map((page) => page.context().close()));
    expect(browser.errors).toEqual([]);
  });
});
