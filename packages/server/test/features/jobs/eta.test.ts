import { describe, expect, it } from "vitest";
import { EtaEstimator } from "../../../src/features/jobs/eta.js";
import {
  addIndex,
  countIndexes,
  eachIndex,
  hasIndex,
  type IndexRanges,
} from "../../../src/features/jobs/ranges.js";

describe("EtaEstimator", () => {
  it("knows nothing from one sample, and says 0 at 100 %", () => {
    const eta = new EtaEstimator();
    expect(eta.update(0, 0)).toBeNull();
    expect(eta.update(0, 5_000)).toBeNull();
    expect(new EtaEstimator().update(100, 0)).toBe(0);
  });

  it("gives the exact time left at a constant rate, however often it is told", () => {
    const coarse = new EtaEstimator();
    coarse.update(0, 0);
    expect(coarse.update(10, 10_000)).toBe(90); // 1 % per second, 90 % left
    const fine = new EtaEstimator();
    fine.update(0, 0);
    let last: number | null = null;
    for (let ms = 100; ms <= 10_000; ms += 100) last = fine.update(ms / 1000, ms);
    expect(last).toBe(90);
  });

  it("follows a change of rate smoothly: weighted by elapsed time with tau = 10 s", () => {
    const eta = new EtaEstimator();
    eta.update(0, 0);
    eta.update(10, 10_000); // rate 0.001 %/ms
    // 10 s at twice the rate: alpha = 1 - e^-1, rate = 0.001 + alpha * 0.001
    const rate = 0.001 + (1 - Math.exp(-1)) * 0.001;
    expect(eta.update(30, 20_000)).toBeCloseTo(70 / rate / 1000, 1);
    expect(eta.update(30, 20_000)).toBe(eta.estimate(30));
  });

  it("measures a rise reported twice in one millisecond from the older point", () => {
    const eta = new EtaEstimator();
    eta.update(0, 0);
    eta.update(5, 5_000);
    eta.update(5, 5_000);
    expect(eta.update(10, 10_000)).toBe(90);
  });
});

describe("index ranges", () => {
  it("adds, merges and finds indexes, and refuses repeats", () => {
    const ranges: IndexRanges = [];
    for (const index of [0, 1, 2, 5, 4, 9, 3]) expect(addIndex(ranges, index)).toBe(true);
    expect(ranges).toEqual([
      [0, 5],
      [9, 9],
    ]);
    expect(addIndex(ranges, 4)).toBe(false);
    expect(hasIndex(ranges, 5)).toBe(true);
    expect(hasIndex(ranges, 6)).toBe(false);
    expect(countIndexes(ranges)).toBe(7);
    expect([...eachIndex(ranges)]).toEqual([0, 1, 2, 3, 4, 5, 9]);
    addIndex(ranges, 7);
    addIndex(ranges, 8);
    addIndex(ranges, 6);
    expect(ranges).toEqual([[0, 9]]);
  });
});
