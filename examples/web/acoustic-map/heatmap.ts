/**
 * The SPL map on the page: the rows of a map job decoded as they arrive (MessagePack float32
 * chunks), a colour scale (d3's Turbo) over the levels' 1st–99th percentile, and the pixels
 * of a canvas with one pixel per grid cell (row 0, the room's south edge, at the bottom).
 */
import { interpolateTurbo } from "d3-scale-chromatic";
import { decodeChunk } from "../../acoustic-map/map-chunk.js";
import type { Grid } from "../../acoustic-map/spl.js";

/** The colours of the scale, 256 steps from the lowest level to the highest. */
const LUT: readonly [number, number, number][] = Array.from({ length: 256 }, (_, i) => {
  const match = /rgb\((\d+), (\d+), (\d+)\)/.exec(interpolateTurbo(i / 255));
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
});

/** The CSS colour of the scale at `t` (0–1), for the legend. */
export function colourAt(t: number): string {
  return interpolateTurbo(Math.min(1, Math.max(0, t)));
}

/** A colour scale's range in dB, whole decibels. */
export interface Domain {
  min: number;
  max: number;
}

/** The levels of one map, filled in as its chunks arrive. */
export class MapGrid {
  readonly grid: Grid;
  /** Row-major, NaN outside the room and where no chunk arrived yet. */
  readonly values: Float32Array;
  readonly #decoded = new Set<number>();
  /** Rows that arrived. */
  rowsReceived = 0;

  constructor(grid: Grid) {
    this.grid = grid;
    this.values = new Float32Array(grid.cols * grid.rows).fill(Number.NaN);
  }

  /** Decodes the chunks not seen yet; returns how many were new. */
  add(chunks: readonly { index: number; data: unknown }[]): number {
    let fresh = 0;
    for (const chunk of chunks) {
      if (this.#decoded.has(chunk.index)) continue;
      this.#decoded.add(chunk.index);
      const { row, values } = decodeChunk(chunk.data);
      values.forEach((line, offset) => {
        if (row + offset < this.grid.rows) this.values.set(line, (row + offset) * this.grid.cols);
      });
      this.rowsReceived += values.length;
      fresh++;
    }
    return fresh;
  }

  /** The level of the cell under a point in metres, or null (outside the grid or no data). */
  at(x: number, y: number): number | null {
    const col = Math.floor((x - this.grid.x0) / this.grid.resolution);
    const row = Math.floor((y - this.grid.y0) / this.grid.resolution);
    if (col < 0 || row < 0 || col >= this.grid.cols || row >= this.grid.rows) return null;
    const value = this.values[row * this.grid.cols + col] as number;
    return Number.isFinite(value) ? value : null;
  }

  /**
   * The colour range: the 1st to the 99th percentile of the levels so far, widened to whole
   * decibels (the few cells right next to a source would otherwise squash every other
   * colour); null before any level.
   */
  domain(): Domain | null {
    const finite = this.values.filter(Number.isFinite).sort();
    if (finite.length === 0) return null;
    const low = finite[Math.floor((finite.length - 1) * 0.01)] as number;
    const high = finite[Math.ceil((finite.length - 1) * 0.99)] as number;
    const min = Math.floor(low);
    return { min, max: Math.max(min + 1, Math.ceil(high)) };
  }
}

/** The index (0–255) of a level's colour in the scale. */
export function colourIndex(value: number, domain: Domain): number {
  const t = (value - domain.min) / (domain.max - domain.min);
  return Math.round(Math.min(1, Math.max(0, t)) * 255);
}

/** Paints the map into a canvas of `cols × rows` pixels; cells without a level stay clear. */
export function paint(canvas: HTMLCanvasElement, map: MapGrid, domain: Domain | null): void {
  const { cols, rows } = map.grid;
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
  }
  const context = canvas.getContext("2d");
  if (!context) return;
  const image = context.createImageData(cols, rows);
  if (domain) {
    for (let row = 0; row < rows; row++) {
      // Row 0 is the south edge: the bottom line of the picture.
      const line = (rows - 1 - row) * cols;
      for (let col = 0; col < cols; col++) {
        const value = map.values[row * cols + col] as number;
        if (!Number.isFinite(value)) continue;
        const [r, g, b] = LUT[colourIndex(value, domain)] as [number, number, number];
        const pixel = (line + col) * 4;
        image.data[pixel] = r;
        image.data[pixel + 1] = g;
        image.data[pixel + 2] = b;
        image.data[pixel + 3] = 255;
      }
    }
  }
  context.putImageData(image, 0, 0);
}
