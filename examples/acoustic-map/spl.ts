/**
 * Sound-pressure level (SPL) of point sources in a free field, on a grid over a room.
 *
 * Each source radiates its sound power level `power` (Lw, dB re 1 pW) with a first-order
 * directivity pattern. At distance r and angle θ from its axis the level is
 *
 *   Lp = Lw + DI(θ) − 20·log10(r) − 10·log10(4π)          (10·log10(4π) ≈ 10.99 dB)
 *
 * (spherical spreading: the power spreads over 4πr²). Sources are incoherent, so their
 * energies add: L = 10·log10 Σ 10^(Lᵢ/10). No reflections. At a given frequency the air
 * absorbs α(f)·r dB more on the way (ISO 9613-1, {@link airAbsorption}); without one, none.
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

/**
 * Attenuation by air absorption in dB per metre at `frequency` Hz (ISO 9613-1: pure tone,
 * 20 °C, 50 % relative humidity, 101.325 kPa): 0.0047 dB/m at 1 kHz, 0.105 dB/m at 8 kHz.
 */
export function airAbsorption(
  frequency: number,
  { temperature = 20, humidity = 50, pressure = 101.325 } = {},
): number {
  const T = temperature + 273.15;
  const T0 = 293.15;
  const pa = pressure / 101.325;
  // Molar concentration of water vapour (%), from the saturation vapour pressure.
  const saturation = 10 ** (-6.8346 * (273.16 / T) ** 1.261 + 4.6151);
  const h = (humidity * saturation) / pa;
  // Relaxation frequencies of oxygen and nitrogen.
  const frO = pa * (24 + (4.04e4 * h * (0.02 + h)) / (0.391 + h));
  const frN = pa * (T / T0) ** -0.5 * (9 + 280 * h * Math.exp(-4.17 * ((T / T0) ** (-1 / 3) - 1)));
  const f2 = frequency * frequency;
  return (
    8.686 *
    f2 *
    (1.84e-11 * (1 / pa) * (T / T0) ** 0.5 +
      (T / T0) ** -2.5 *
        ((0.01275 * Math.exp(-2239.1 / T)) / (frO + f2 / frO) +
          (0.1068 * Math.exp(-3352 / T)) / (frN + f2 / frN)))
  );
}

/** The level of one source at a point (dB); `absorption` is the air's, in dB per metre. */
export function sourceLevel(source: Source, point: Point, absorption = 0): number {
  const dx = point.x - source.x;
  const dy = point.y - source.y;
  const r = Math.max(Math.hypot(dx, dy), MIN_DISTANCE);
  const theta = Math.atan2(dy, dx) - (source.angle * Math.PI) / 180;
  return (
    source.power +
    directivityIndex(source.pattern, theta) -
    20 * Math.log10(r) -
    FREE_FIELD_DB -
    absorption * r
  );
}

/** Incoherent sum of levels: 10·log10 Σ 10^(L/10). −Infinity for no levels. */
export function sumLevels(levels: Iterable<number>): number {
  let energy = 0;
  for (const level of levels) energy += 10 ** (level / 10);
  return 10 * Math.log10(energy);
}

/** The level of every source at a point, summed (dB); `absorption` in dB per metre. */
export function splAt(sources: readonly Source[], point: Point, absorption = 0): number {
  let energy = 0;
  for (const source of sources) energy += 10 ** (sourceLevel(source, point, absorption) / 10);
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
  absorption = 0,
): Float32Array {
  const values = new Float32Array(grid.cols);
  for (let col = 0; col < grid.cols; col++) {
    const point = cellCentre(grid, col, row);
    values[col] = pointInPolygon(point, room) ? splAt(sources, point, absorption) : Number.NaN;
  }
  return values;
}

/**
 * Which cells of the grid lie inside the room (row-major, 1 inside): the room mask, computed
 * once per map.
 */
export function roomMask(grid: Grid, room: readonly Point[]): Uint8Array {
  const mask = new Uint8Array(grid.cols * grid.rows);
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      mask[row * grid.cols + col] = pointInPolygon(cellCentre(grid, col, row), room) ? 1 : 0;
    }
  }
  return mask;
}

/** One row of the map with a precomputed {@link roomMask}: NaN where the mask is 0. */
export function maskedRow(
  grid: Grid,
  sources: readonly Source[],
  mask: Uint8Array,
  row: number,
  absorption = 0,
): Float32Array {
  const values = new Float32Array(grid.cols);
  for (let col = 0; col < grid.cols; col++) {
    values[col] =
      mask[row * grid.cols + col] === 1
        ? splAt(sources, cellCentre(grid, col, row), absorption)
        : Number.NaN;
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
