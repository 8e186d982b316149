import { describe, expect, it } from "vitest";
import { decodeChunk, encodeChunk } from "./map-chunk.js";
import { nearestInside, pointInPolygon } from "./room.js";
import {
  computeRow,
  directivityIndex,
  FREE_FIELD_DB,
  gridOver,
  type Source,
  sourceLevel,
  splAt,
  statsOf,
  sumLevels,
} from "./spl.js";

const omni = (x: number, y: number, power = 100): Source => ({
  id: "s",
  x,
  y,
  power,
  pattern: "omni",
  angle: 0,
});

// An L-shaped room: the square 0–4 × 0–4 minus its top-right quarter.
const lRoom = [
  { x: 0, y: 0 },
  { x: 4, y: 0 },
  { x: 4, y: 2 },
  { x: 2, y: 2 },
  { x: 2, y: 4 },
  { x: 0, y: 4 },
];

describe("inverse-square spreading", () => {
  it("a single omni source at 1 m: Lp = Lw − 11 dB (10·log10 4π)", () => {
    expect(FREE_FIELD_DB).toBeCloseTo(10.99, 2);
    expect(splAt([omni(0, 0, 100)], { x: 1, y: 0 })).toBeCloseTo(100 - 11, 1);
    expect(splAt([omni(0, 0, 100)], { x: 0, y: -1 })).toBeCloseTo(100 - FREE_FIELD_DB, 9);
  });

  it("loses 6 dB per doubling of distance", () => {
    const near = splAt([omni(0, 0)], { x: 2, y: 0 });
    const far = splAt([omni(0, 0)], { x: 4, y: 0 });
    expect(near - far).toBeCloseTo(20 * Math.log10(2), 9);
  });

  it("two equal incoherent sources add 3 dB; ten add 10 dB", () => {
    const one = splAt([omni(-1, 0)], { x: 0, y: 0 });
    const two = splAt([omni(-1, 0), omni(1, 0)], { x: 0, y: 0 });
    expect(two - one).toBeCloseTo(10 * Math.log10(2), 9);
    expect(sumLevels(Array(10).fill(80))).toBeCloseTo(90, 9);
    // A source 10 dB weaker adds only 0.41 dB.
    expect(sumLevels([80, 70])).toBeCloseTo(80.41, 2);
  });
});

describe("directivity", () => {
  const facing = (pattern: Source["pattern"], angle: number): Source => ({
    ...omni(0, 0),
    pattern,
    angle,
  });

  it("an omni source is the same all round", () => {
    const front = sourceLevel(facing("omni", 0), { x: 2, y: 0 });
    const back = sourceLevel(facing("omni", 0), { x: -2, y: 0 });
    expect(front - back).toBeCloseTo(0, 9);
  });

  it("front/back ratio: supercardioid 11.4 dB, hypercardioid 6 dB, cardioid down to the 40 dB floor", () => {
    const ratio = (pattern: Source["pattern"]) =>
      sourceLevel(facing(pattern, 0), { x: 2, y: 0 }) -
      sourceLevel(facing(pattern, 0), { x: -2, y: 0 });
    expect(ratio("supercardioid")).toBeCloseTo(20 * Math.log10(1 / (1 - 2 * 0.366)), 6);
    expect(ratio("supercardioid")).toBeCloseTo(11.4, 1);
    expect(ratio("hypercardioid")).toBeCloseTo(20 * Math.log10(1 / 0.5), 6);
    expect(ratio("cardioid")).toBeCloseTo(40, 6);
  });

  it("on axis the directivity index is the pattern's: cardioid 4.8 dB, hypercardioid 6.0 dB", () => {
    expect(directivityIndex("cardioid", 0)).toBeCloseTo(10 * Math.log10(3), 6);
    expect(directivityIndex("hypercardioid", 0)).toBeCloseTo(10 * Math.log10(4), 6);
    // Cardioid at 90°: half the pressure of on axis, 6 dB down.
    expect(directivityIndex("cardioid", 0) - directivityIndex("cardioid", Math.PI / 2)).toBeCloseTo(
      20 * Math.log10(2),
      6,
    );
  });

  it("the orientation angle turns the pattern (degrees, counter-clockwise from +x)", () => {
    const up = facing("cardioid", 90);
    const above = sourceLevel(up, { x: 0, y: 3 });
    const below = sourceLevel(up, { x: 0, y: -3 });
    const right = sourceLevel(up, { x: 3, y: 0 });
    expect(above - below).toBeCloseTo(40, 6);
    expect(above - right).toBeCloseTo(20 * Math.log10(2), 6);
  });
});

describe("the room mask", () => {
  it("ray casting tells inside from outside, concave corners included", () => {
    expect(pointInPolygon({ x: 1, y: 1 }, lRoom)).toBe(true);
    expect(pointInPolygon({ x: 1, y: 3 }, lRoom)).toBe(true);
    expect(pointInPolygon({ x: 3, y: 1 }, lRoom)).toBe(true);
    expect(pointInPolygon({ x: 3, y: 3 }, lRoom)).toBe(false); // the missing quarter
    expect(pointInPolygon({ x: -1, y: 1 }, lRoom)).toBe(false);
    expect(pointInPolygon({ x: 5, y: 1 }, lRoom)).toBe(false);
  });

  it("cells outside the room are NaN, cells inside have a level", () => {
    const grid = gridOver(lRoom, 1);
    expect(grid).toMatchObject({ cols: 4, rows: 4, x0: 0, y0: 0 });
    const rows = Array.from({ length: grid.rows }, (_, row) =>
      computeRow(grid, [omni(1, 1)], lRoom, row),
    );
    const masked = rows.map((row) => [...row].map((value) => (Number.isNaN(value) ? "x" : "o")));
    expect(masked.map((row) => row.join(""))).toEqual(["oooo", "oooo", "ooxx", "ooxx"]);
    // The cell centre (1.5, 0.5) is √0.5 m from the source.
    expect(rows[0]?.[1]).toBeCloseTo(100 - FREE_FIELD_DB - 20 * Math.log10(Math.sqrt(0.5)), 4);
    const stats = statsOf(rows.flatMap((row) => [...row]));
    expect(stats.cells).toBe(12);
    expect(stats.max).toBeGreaterThan(stats.mean);
  });

  it("the nearest point inside the room of a point outside it", () => {
    expect(nearestInside({ x: 5, y: 1 }, lRoom)).toEqual({ x: 3.9, y: 1 });
    const corner = nearestInside({ x: 3, y: 3 }, lRoom);
    expect(corner && pointInPolygon(corner, lRoom)).toBe(true);
  });
});

describe("map chunks", () => {
  it("rows round-trip through the little-endian float32 bytes, NaN included", () => {
    const rows = [Float32Array.of(1.5, Number.NaN, -3), Float32Array.of(94.25, 0, 120)];
    const chunk = encodeChunk(7, rows);
    expect(chunk).toMatchObject({ row: 7, rows: 2, cols: 3 });
    expect(chunk.spl.byteLength).toBe(24);
    // Read through an odd offset, as a decoder may hand out views of a larger buffer.
    const shifted = new Uint8Array(25);
    shifted.set(chunk.spl, 1);
    const decoded = decodeChunk({ ...chunk, spl: shifted.subarray(1) });
    expect(decoded.row).toBe(7);
    expect(decoded.values).toEqual(rows);
    expect(() => decodeChunk({ row: 0, rows: 2, cols: 3, spl: new Uint8Array(5) })).toThrow(
      TypeError,
    );
  });
});
