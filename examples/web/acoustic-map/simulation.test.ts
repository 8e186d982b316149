/**
 * The map in real Chromium: the heat map's canvas fills in as chunks arrive and ends matching
 * the hub's physics cell by cell; a person who opens mid-run sees the rows so far at once;
 * hovering shows the hub's level at the point.
 */
import { describe, expect, it } from "vitest";
import { PROJECT_ROOM, PROJECT_SOURCES } from "../../acoustic-map/project-keys.js";
import { pointInPolygon } from "../../acoustic-map/room.js";
import { createAcousticApp } from "../../acoustic-map/server.js";
import { airAbsorption, cellCentre, gridOver, splAt } from "../../acoustic-map/spl.js";
import { webAppsFixture } from "../test/support.js";
import { expectedColour, heatPixels, legendDomain, openApp } from "./testing.js";

// Slower than a person needs (64 chunks in about 16 s), so a second browser surely opens
// mid-run, even on a busy machine.
const fixture = webAppsFixture({
  hubs: { "acoustic-map": createAcousticApp({ chunkInterval: 250, generationInterval: 250 }) },
});

describe("acoustic app: the SPL map", () => {
  it("the heat map fills in chunk by chunk, a late joiner sees it at once, and it ends matching the hub's grid", {
    timeout: 50_000,
  }, async () => {
    const { apps, browser } = await fixture();
    const url = `${apps.appUrl("acoustic-map")}?project=map`;
    const a = await openApp(browser, url);
    expect((await heatPixels(a)).coloured).toBe(0);
    await a.getByRole("button", { name: "Simulate" }).click();

    // Coloured pixels appear while the job still runs, and grow.
    const progress = a.getByRole("progressbar", { name: "SPL map" });
    await expect.poll(async () => (await heatPixels(a)).coloured).toBeGreaterThan(0);
    const early = await heatPixels(a);
    const grid = gridOver(PROJECT_ROOM, 0.1);
    expect([early.cols, early.rows]).toEqual([grid.cols, grid.rows]);
    let inside = 0;
    for (let row = 0; row < grid.rows; row++) {
      for (let col = 0; col < grid.cols; col++) {
        if (pointInPolygon(cellCentre(grid, col, row), PROJECT_ROOM)) inside++;
      }
    }
    expect(early.coloured).toBeLessThan(inside);

    // A second person opens the project mid-run: the rows so far are on screen at once.
    const b = await openApp(browser, url);
    await expect.poll(async () => (await heatPixels(b)).coloured).toBeGreaterThan(0);
    const joined = await heatPixels(b);
    expect(joined.coloured).toBeLessThan(inside);
    expect(
      Number(await b.getByRole("progressbar", { name: "SPL map" }).getAttribute("aria-valuenow")),
    ).toBeLessThan(100);
    expect(await a.locator(".sy-job__status").first().textContent()).toBe("Running");
    await expect.poll(async () => (await heatPixels(a)).coloured).toBeGreaterThan(early.coloured);

    // Completed: every cell inside the room is coloured, on both screens.
    for (const page of [a, b]) {
      await expect
        .poll(
          () => page.getByRole("progressbar", { name: "SPL map" }).getAttribute("aria-valuenow"),
          { timeout: 30_000 },
        )
        .toBe("100");
      await expect
        .poll(() => page.locator(".sy-job__status").first().textContent())
        .toBe("Completed");
      await expect.poll(async () => (await heatPixels(page)).coloured).toBe(inside);
    }
    expect(await progress.getAttribute("aria-valuenow")).toBe("100");

    // Cell by cell, the colour is the scale's colour of the level the physics gives there.
    const absorption = airAbsorption(1000);
    const samples = [
      [30, 20],
      [100, 40],
      [150, 60],
      [190, 10],
      [60, 120],
      [20, 100],
      [110, 75],
    ] as const;
    for (const page of [a, b]) {
      const pixels = await heatPixels(page, [...samples, [170, 120]]);
      const domain = await legendDomain(page);
      for (const [index, [col, row]] of samples.entries()) {
        const point = cellCentre(grid, col, row);
        expect(pointInPolygon(point, PROJECT_ROOM)).toBe(true);
        const level = splAt(PROJECT_SOURCES, point, absorption);
        const [r, g, b2, alpha] = pixels.cells[index] as number[];
        const [er, eg, eb] = expectedColour(level, domain);
        expect(alpha).toBe(255);
        expect(Math.abs((r as number) - er!), `red of (${col}, ${row})`).toBeLessThanOrEqual(2);
        expect(Math.abs((g as number) - eg!), `green of (${col}, ${row})`).toBeLessThanOrEqual(2);
        expect(Math.abs((b2 as number) - eb!), `blue of (${col}, ${row})`).toBeLessThanOrEqual(2);
      }
      // A cell outside the room (the cut-out stage wing) stays clear.
      expect(pixels.cells[samples.length]?.[3]).toBe(0);
    }

    // Hovering shows the hub's level at the point (the seed's ui:spl_preview).
    const plan = await a.locator(".plan").boundingBox();
    const heat = await a.locator('canvas[aria-label="SPL heat map"]').boundingBox();
    if (!plan || !heat) throw new Error("no plan on screen");
    const at = { col: 100, row: 40 };
    const point = cellCentre(grid, at.col, at.row);
    await a.mouse.move(
      heat.x + ((at.col + 0.5) / grid.cols) * heat.width,
      heat.y + heat.height - ((at.row + 0.5) / grid.rows) * heat.height,
    );
    const expected = splAt(PROJECT_SOURCES, point, absorption).toFixed(1);
    await expect
      .poll(() => a.getByRole("status", { name: "Level under the pointer" }).textContent())
      .toContain(`${expected} dB`);
    await Promise.all([a, b].map((page) => page.context().close()));
    expect(browser.errors).toEqual([]);
  });
});
