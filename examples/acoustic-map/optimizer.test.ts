import { describe, expect, it } from "vitest";
import {
  createFitness,
  DEFAULT_OPTIMIZER_SETTINGS,
  GeneticOptimizer,
  type OptimizerProblem,
} from "./optimizer.js";
import { seededRandom } from "./random.js";
import { pointInPolygon } from "./room.js";
import type { Source } from "./spl.js";

const room = [
  { x: 0, y: 0 },
  { x: 12, y: 0 },
  { x: 12, y: 8 },
  { x: 0, y: 8 },
];

// Two sources crammed into one corner: a loud corner, a quiet far end.
const cornered: Source[] = [
  { id: "a", x: 0.5, y: 0.5, power: 105, pattern: "omni", angle: 0 },
  { id: "b", x: 1, y: 0.5, power: 105, pattern: "cardioid", angle: 45 },
];

const problem: OptimizerProblem = { sources: cornered, room, minLevel: 85, resolution: 1 };

describe("fitness", () => {
  it("is higher for an even layout than for a cornered one", () => {
    const fitness = createFitness(problem);
    const spread: Source[] = [
      { ...(cornered[0] as Source), x: 3, y: 4 },
      { ...(cornered[1] as Source), x: 9, y: 4 },
    ];
    expect(fitness(spread)).toBeGreaterThan(fitness(cornered));
    expect(fitness(cornered)).toBeLessThan(0);
  });
});

describe("the genetic optimiser", () => {
  it("improves the best fitness over generations, never losing the best (elitism)", () => {
    const optimizer = new GeneticOptimizer(problem, {
      ...DEFAULT_OPTIMIZER_SETTINGS,
      population: 16,
      generations: 15,
      seed: 42,
    });
    const start = optimizer.report();
    const reports = [];
    while (!optimizer.done) reports.push(optimizer.next());
    expect(reports.map((report) => report.generation)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    const best = reports.map((report) => report.best);
    for (let i = 1; i < best.length; i++) {
      expect(best[i]).toBeGreaterThanOrEqual(best[i - 1] as number);
    }
    expect(best.at(-1)).toBeGreaterThan(best[0] as number);
    expect(best.at(-1)).toBeGreaterThan(start.best);
    for (const report of reports) expect(report.mean).toBeLessThanOrEqual(report.best);
    // The answer keeps each source's power, pattern and angle, and stands inside the room.
    const final = reports.at(-1)?.bestConfiguration ?? [];
    expect(final.map(({ id, power, pattern, angle }) => ({ id, power, pattern, angle }))).toEqual(
      cornered.map(({ id, power, pattern, angle }) => ({ id, power, pattern, angle })),
    );
    for (const source of final) expect(pointInPolygon(source, room)).toBe(true);
    expect(createFitness(problem)(final)).toBeCloseTo(best.at(-1) as number, 9);
  });

  it("replays exactly with the same seed, and differs with another", () => {
    const run = (seed: number) => {
      const optimizer = new GeneticOptimizer(problem, {
        ...DEFAULT_OPTIMIZER_SETTINGS,
        population: 8,
        generations: 4,
        seed,
      });
      const reports = [];
      while (!optimizer.done) reports.push(optimizer.next());
      return reports;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("the seeded generator is uniform enough and its Gaussian has mean 0 and deviation 1", () => {
    const random = seededRandom(3);
    const samples = Array.from({ length: 20_000 }, () => random.gaussian());
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const ints = new Set(Array.from({ length: 200 }, () => random.int(5)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
