/**
 * What the terminal client asks for: a room, its sources, the map's grid and the optimiser's
 * settings. The demo is a small L-shaped hall with three loudspeakers.
 */
import type { Point } from "./room.js";
import type { Pattern } from "./spl.js";

/** A source as sent in RPCs (`power`, `pattern` and `angle` have defaults on the hub). */
export interface SourceInput {
  id: string;
  x: number;
  y: number;
  power?: number;
  pattern?: Pattern;
  angle?: number;
}

/** The optimiser settings sent with `optimizer.start` (see schemas.ts for ranges). */
export interface OptimizerInput {
  minLevel?: number;
  resolution?: number;
  population?: number;
  generations?: number;
  tournament?: number;
  elitism?: number;
  crossoverRate?: number;
  mutationRate?: number;
  sigma?: number;
  seed?: number;
  target?: Point[];
}

/** One run of the terminal client. */
export interface Scenario {
  room: Point[];
  sources: SourceInput[];
  grid: { resolution: number; rowsPerChunk?: number };
  optimizer: OptimizerInput;
}

/** An L-shaped hall (20 × 14 m with a 8 × 6 m stage wing cut out) and three loudspeakers. */
export const DEMO_SCENARIO: Scenario = {
  room: [
    { x: 0, y: 0 },
    { x: 20, y: 0 },
    { x: 20, y: 8 },
    { x: 12, y: 8 },
    { x: 12, y: 14 },
    { x: 0, y: 14 },
  ],
  sources: [
    { id: "main-left", x: 1, y: 1, power: 110, pattern: "cardioid", angle: 45 },
    { id: "main-right", x: 2, y: 1, power: 110, pattern: "cardioid", angle: 45 },
    { id: "fill", x: 1, y: 2, power: 104, pattern: "omni" },
  ],
  grid: { resolution: 0.25, rowsPerChunk: 1 },
  optimizer: { minLevel: 85, resolution: 1, population: 24, generations: 30, seed: 2024 },
};
