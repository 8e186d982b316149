/**
 * Sound-pressure level (SPL) of point sources in a free field, on a grid over a room.
 *
 * Each source radiates its sound power level `power` (Lw, dB re 1 pW) with a first-order
 * directivity pattern. At distance r and angle θ from its axis the level is
 *
 *   Lp = Lw + DI(θ) − 20·log10(r) − 10·log10(4π)          (10·log10(4π) ≈ 10.99 dB)
 *
 * (spherical spreading: the power spreads over 4πr²). Sources are incoherent, so their
 * energies add: L = 10·log10 Σ 10^(Lᵢ/10). No reflections, no air absorption.
 */
import { type Bounds, boundsOf, type Point, pointInPolygon } from "./room.js";

/** The directivity patterns a source may have (first order: a + (1 − a)·cos θ). */
export const PATTERNS = ["omni", "cardioid", "supercardioid", "hypercardioid"] as const;

/** A directivity pattern. */
export type Pattern = (typeof PATTERNS)[number];

/** The `a` of each pattern's pressure response a + (1 − a)·cos θ. */
export const PATTERN_SHAPE: Readonly<Record<Pattern, number>> = {
  omni: 1,
  cardioid: 0.5,
  supercardioid: 0.366,
  hypercardioid: 0.25,
};

/** 10·log10(4π): the free-field term of the inverse-square law, about 11 dB. */
export const FREE_FIELD_DB = 10 * Math.log10(4 * Math.PI);

/** Distances below this count as this (metres): the far-field law has no meaning at r → 0. */
export const MIN_DISTANCE = 0.1;

/**
 * The deepest null of a pattern, in dB below its on-axis level. Real cabinets never reach a
 * perfect null, and a floor keeps levels finite.
 */
export const NULL_FLOOR_DB = -40;

/** A point source. */
export interface Source {
  /** Names the source in moves and optimiser results. */
  id: string;
  /** Position in metres. */
  x: number;
  y: number;
  /** Sound power level Lw in dB re 1 pW. */
  power: number;
  /** Directivity pattern. */
  pattern: Pattern;
  /** Direction of the main axis in degrees, counter-clockwise from +x. */
  angle: number;
}

/**
 * Directivity index in dB at `theta` radians off the axis: the level relative to an omni
 * source of the same sound power. The pattern is axially symmetric, so its mean square over
 * the sphere is a² + (1 − a)²/3 (cardioid 4.8 dB on axis, hypercardioid 6.0 dB).
 */
export function directivityIndex(pattern: Pattern, theta: number): number {
  const a = PATTERN_SHAPE[pattern];
  if (a === 1) return 0;
  const response = a + (1 - a) * Math.cos(theta);
  const floor = 10 ** (NULL_FLOOR_DB / 10);
  const meanSquare = a * a + ((1 - a) * (1 - a)) / 3;
  return 10 * Math.log10(Math.max(response * response, floor) / meanSquare);
}

/** The level of one source at a point (dB). */
export function sourceLevel(source: Source, point: Point): number {
  const dx = point.x - source.x;
  const dy = point.y - source.y;
  const r = Math.max(Math.hypot(dx, dy), MIN_DISTANCE);
  const theta = Math.atan2(dy, dx) - (source.angle * Math.PI) / 180;
  return (
    source.power + directivityIndex(source.pattern, theta) - 20 * Math.log10(r) - FREE_FIELD_DB
  );
}

/** Incoherent sum of levels: 10·log10 Σ 10^(L/10). −Infinity for no levels. */
export function sumLevels(levels: Iterable<number>): number {
  let energy = 0;
  for (const level of levels) energy += 10 ** (level / 10);
  return 10 * Math.log10(energy);
}

/** The level of every source at a point, summed (dB). */
export function splAt(sources: readonly Source[], point: Point): number {
  let energy = 0;
  for (const source of sources) energy += 10 ** (sourceLevel(source, point) / 10);
  return 10 * Math.log10(energy);
}

/**
 * A grid of square cells tiling a room's bounding box; values are taken at cell centres.
 * Row `r` holds the cells with centre y = y0 + (r + ½)·resolution.
 */
export interface Grid {
  x0: number;
  y0: number;
  /** Cell size in metres. */
  resolution: number;
  cols: number;
  rows: number;
}

/** The grid of cells of size `resolution` over the bounding box of `room`. */
export function gridOver(room: readonly Point[], resolution: number): Grid {
  const bounds: Bounds = boundsOf(room);
  return {
    x0: bounds.minX,
    y0: bounds.minY,
    resolution,
    cols: Math.max(1, Math.ceil((bounds.maxX - bounds.minX) / resolution - 1e-9)),
    rows: Math.max(1, Math.ceil((bounds.maxY - bounds.minY) / resolution - 1e-9)),
  };
}

/** The centre of cell (col, row). */
export function cellCentre(grid: Grid, col: number, row: number): Point {
  return {
    x: grid.x0 + (col + 0.5) * grid.resolution,
    y: grid.y0 + (row + 0.5) * grid.resolution,
  };
}

/** One row of the map: the SPL at each cell centre, NaN outside the room. */
export function computeRow(
  grid: Grid,
  sources: readonly Source[],
  room: readonly Point[],
  row: number,
): Float32Array {
  const values = new Float32Array(grid.cols);
  for (let col = 0; col < grid.cols; col++) {
    const point = cellCentre(grid, col, row);
    values[col] = pointInPolygon(point, room) ? splAt(sources, point) : Number.NaN;
  }
  return values;
}

/** Figures of a map over the cells inside the room (NaN cells are skipped). */
export interface SplStats {
  /** Cells inside the room. */
  cells: number;
  min: number;
  max: number;
  /** Arithmetic mean of the levels in dB. */
  mean: number;
  /** Standard deviation of the levels in dB (0 is a perfectly even map). */
  std: number;
}

/** Min, max, mean and standard deviation of the finite values. */
export function statsOf(values: Iterable<number>): SplStats {
  let cells = 0;
  let sum = 0;
  let sumSquares = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    cells++;
    sum += value;
    sumSquares += value * value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (cells === 0) return { cells, min: Number.NaN, max: Number.NaN, mean: Number.NaN, std: 0 };
  const mean = sum / cells;
  return { cells, min, max, mean, std: Math.sqrt(Math.max(0, sumSquares / cells - mean * mean)) };
}
