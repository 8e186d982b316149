/**
 * What the acoustic app's browser tests share: opening the app for a person, reading the heat
 * map's pixels and a source's place on screen, and the colour the app gives a level.
 */
import { interpolateTurbo } from "d3-scale-chromatic";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { AppBrowser } from "../test/support.js";

/** Opens the app in a new browser context (another person) and waits until it is live. */
export async function openApp(browser: AppBrowser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  // The parameters show once the project's document arrived.
  await page.getByLabel("Frequency").waitFor();
  return page;
}

/** The heat map canvas's pixels: its size, the coloured ones counted, some cells read. */
export interface HeatPixels {
  cols: number;
  rows: number;
  /** Opaque pixels (cells with a level). */
  coloured: number;
  /** RGBA of each cell asked for, in the order asked. */
  cells: number[][];
}

/**
 * Reads the heat map canvas: its size, how many pixels are coloured, and the RGBA of the
 * cells `[col, row]` asked for (row 0 is the room's south edge, the picture's bottom line).
 */
export function heatPixels(
  page: Page,
  cells: readonly (readonly [number, number])[] = [],
): Promise<HeatPixels> {
  return page.evaluate((cells) => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas[aria-label="SPL heat map"]');
    if (!canvas || canvas.width === 0) return { cols: 0, rows: 0, coloured: 0, cells: [] };
    const context = canvas.getContext("2d") as CanvasRenderingContext2D;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) coloured++;
    return {
      cols: canvas.width,
      rows: canvas.height,
      coloured,
      cells: cells.map(([col, row]) => {
        const index = ((canvas.height - 1 - row) * canvas.width + col) * 4;
        return [...data.slice(index, index + 4)];
      }),
    };
  }, cells);
}

/** The colour scale's range as the legend shows it. */
export async function legendDomain(page: Page): Promise<{ min: number; max: number }> {
  const label = await page.getByRole("figure").getAttribute("aria-label");
  const match = /from (-?\d+) to (-?\d+) dB/.exec(label ?? "");
  expect(match, `legend: ${label}`).not.toBeNull();
  return { min: Number(match?.[1]), max: Number(match?.[2]) };
}

/** The colour the scale gives a level (Turbo, clamped to the range, 256 steps). */
export function expectedColour(value: number, domain: { min: number; max: number }): number[] {
  const t = Math.min(1, Math.max(0, (value - domain.min) / (domain.max - domain.min)));
  const css = interpolateTurbo(Math.round(t * 255) / 255);
  const match = /rgb\((\d+), (\d+), (\d+)\)/.exec(css);
  return [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
}

/** A source's position as the page shows it (metres). */
export async function sourcePosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const button = page.getByRole("button", { name: new RegExp(`^${id} at `) });
  const [x, y] = await Promise.all([button.getAttribute("data-x"), button.getAttribute("data-y")]);
  return { x: Number(x), y: Number(y) };
}

/** The centre of a source's marker on screen (CSS pixels). */
export async function sourceCentre(page: Page, id: string): Promise<{ x: number; y: number }> {
  const box = await page.getByRole("button", { name: new RegExp(`^${id} at `) }).boundingBox();
  if (!box) throw new Error(`${id} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The connection badge's words. */
export function badge(page: Page) {
  return page.locator(".sy-badge__label");
}
