/**
 * The RPC inputs (zod, a Standard Schema library) and their sane ranges. A value out of range
 * is refused with `invalid_data`, and each issue names the parameter (`path`) and suggests a
 * value that would be accepted (`suggested`): the nearest bound, the default, or for a
 * position outside the room the nearest point inside it.
 */
import { z } from "zod";
import { boundsOf, nearestInside, type Point, selfIntersects, signedArea } from "./room.js";
import { gridOver, PATTERNS } from "./spl.js";

/** A parameter's accepted range and the value suggested when none is usable. */
export interface Range {
  min: number;
  max: number;
  default: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/** Every ranged parameter, by its name (the last segment of its path). */
export const RANGES = {
  resolution: { min: 0.05, max: 5, default: 0.5 },
  frequency: { min: 20, max: 20_000, default: 1_000 },
  rowsPerChunk: { min: 1, max: 64, default: 1, integer: true },
  power: { min: 20, max: 150, default: 100 },
  angle: { min: -360, max: 360, default: 0 },
  minLevel: { min: 0, max: 140, default: 85 },
  population: { min: 4, max: 200, default: 24, integer: true },
  generations: { min: 1, max: 500, default: 30, integer: true },
  tournament: { min: 2, max: 8, default: 3, integer: true },
  elitism: { min: 0, max: 10, default: 2, integer: true },
  crossoverRate: { min: 0, max: 1, default: 0.9 },
  mutationRate: { min: 0, max: 1, default: 0.3 },
  sigma: { min: 0.01, max: 10, default: 0.75 },
  seed: { min: 0, max: 4_294_967_295, default: 1, integer: true },
} as const satisfies Record<string, Range>;

/** Most cells a map may have: 100 000 float32 values (400 KB) fit in the job's snapshot. */
export const MAX_CELLS = 100_000;
/** Most rows a map may have (each row costs a little chunk overhead in the snapshot). */
export const MAX_ROWS = 1_000;
/** Most bytes of levels in one chunk (the hub refuses chunks over 256 KiB). */
export const MAX_CHUNK_BYTES = 200_000;
/** Most cells the optimiser evaluates each layout on. */
export const MAX_FITNESS_CELLS = 2_000;
/** Most source-cell evaluations of one optimisation (population × generations × cells × sources). */
export const MAX_OPTIMIZER_WORK = 200_000_000;

/** A number schema with the range of parameter `name`. */
export function ranged(name: keyof typeof RANGES) {
  const range: Range = RANGES[name];
  const number = range.integer ? z.number().int() : z.number();
  return number.min(range.min).max(range.max);
}

const point = z.object({ x: z.number(), y: z.number() });
const polygon = z.array(point).min(3).max(200);
/** A name of a room, a project or a source. */
export const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "use 1–64 of A-Z a-z 0-9 _ . -");

/** A source as RPCs take it (`power`, `pattern` and `angle` have defaults). */
export const source = z.object({
  id: name,
  x: z.number(),
  y: z.number(),
  power: ranged("power").default(RANGES.power.default),
  pattern: z.enum(PATTERNS).default("omni"),
  angle: ranged("angle").default(RANGES.angle.default),
});

/** Adds an issue with a suggested value. */
function suggest(ctx: z.RefinementCtx, path: (string | number)[], message: string, value: unknown) {
  ctx.addIssue({ code: "custom", path, message, params: { suggested: value } });
}

/** Cross-field checks run only on input whose every field is valid on its own. */
const whenValid = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

function round(value: number, step: number): number {
  return Number((Math.round(value / step) * step).toFixed(6));
}

/** The room is a simple polygon with an area, and every source stands inside it. */
export function checkRoom(
  input: { room: Point[]; sources: { id: string; x: number; y: number }[] },
  ctx: z.RefinementCtx,
): boolean {
  if (Math.abs(signedArea(input.room)) < 1e-6 || selfIntersects(input.room)) {
    ctx.addIssue({
      code: "custom",
      path: ["room"],
      message: "The room must be a simple polygon with an area (its edges must not cross)",
    });
    return false;
  }
  const ids = new Set<string>();
  input.sources.forEach((item, index) => {
    if (ids.has(item.id)) {
      suggest(
        ctx,
        ["sources", index, "id"],
        `Source id '${item.id}' is used twice`,
        `s${index + 1}`,
      );
    }
    ids.add(item.id);
    const inside = nearestInside(item, input.room);
    if (inside !== item) {
      const suggested = inside && { x: round(inside.x, 0.01), y: round(inside.y, 0.01) };
      suggest(ctx, ["sources", index], `Source '${item.id}' stands outside the room`, suggested);
    }
  });
  return true;
}

/** The finest resolution (a multiple of 0.05 m) that gives `room` at most `cells` cells and `rows` rows. */
export function resolutionFor(
  room: Point[],
  cells: number,
  rows = Number.POSITIVE_INFINITY,
): number {
  const { minX, minY, maxX, maxY } = boundsOf(room);
  let resolution = Math.max(
    Math.sqrt(((maxX - minX) * (maxY - minY)) / cells),
    (maxY - minY) / rows,
    RANGES.resolution.min,
  );
  resolution = Math.ceil(resolution / 0.05 - 1e-9) * 0.05;
  while (gridCells(room, resolution) > cells) resolution += 0.05;
  return round(resolution, 0.05);
}

/** How many cells a map of `room` has at `resolution`. */
export function gridCells(room: Point[], resolution: number): number {
  const grid = gridOver(room, resolution);
  return grid.cols * grid.rows;
}

/** Input of `map.compute`. */
export const mapComputeInput = z
  .object({
    grid: z
      .object({
        resolution: ranged("resolution").default(RANGES.resolution.default),
        rowsPerChunk: ranged("rowsPerChunk").default(RANGES.rowsPerChunk.default),
      })
      .default({ resolution: RANGES.resolution.default, rowsPerChunk: 1 }),
    /** With a frequency (Hz), the air absorbs the sound on the way (ISO 9613-1). */
    frequency: ranged("frequency").optional(),
    sources: z.array(source).min(1).max(32),
    room: polygon,
  })
  .superRefine((input, ctx) => {
    if (!checkRoom(input, ctx)) return;
    const grid = gridOver(input.room, input.grid.resolution);
    if (grid.cols * grid.rows > MAX_CELLS || grid.rows > MAX_ROWS) {
      suggest(
        ctx,
        ["grid", "resolution"],
        `A ${grid.cols}×${grid.rows} grid is too fine: at most ${MAX_CELLS} cells and ${MAX_ROWS} rows`,
        resolutionFor(input.room, MAX_CELLS, MAX_ROWS),
      );
      return;
    }
    const bytes = input.grid.rowsPerChunk * grid.cols * 4;
    if (bytes > MAX_CHUNK_BYTES) {
      suggest(
        ctx,
        ["grid", "rowsPerChunk"],
        `${input.grid.rowsPerChunk} rows of ${grid.cols} cells make a chunk of ${bytes} bytes (at most ${MAX_CHUNK_BYTES})`,
        Math.max(1, Math.floor(MAX_CHUNK_BYTES / (grid.cols * 4))),
      );
    }
  }, whenValid);

/** Input of `optimizer.start`. */
export const optimizerStartInput = z
  .object({
    sources: z.array(source).min(1).max(16),
    room: polygon,
    target: polygon.optional(),
    minLevel: ranged("minLevel").default(RANGES.minLevel.default),
    resolution: ranged("resolution").default(RANGES.resolution.default),
    frequency: ranged("frequency").optional(),
    population: ranged("population").default(RANGES.population.default),
    generations: ranged("generations").default(RANGES.generations.default),
    tournament: ranged("tournament").default(RANGES.tournament.default),
    elitism: ranged("elitism").default(RANGES.elitism.default),
    crossoverRate: ranged("crossoverRate").default(RANGES.crossoverRate.default),
    mutationRate: ranged("mutationRate").default(RANGES.mutationRate.default),
    sigma: ranged("sigma").default(RANGES.sigma.default),
    seed: ranged("seed").optional(),
  })
  .superRefine((input, ctx) => {
    if (!checkRoom(input, ctx)) return;
    if (input.elitism >= input.population) {
      suggest(ctx, ["elitism"], "Elitism must keep fewer genomes than the population", 2);
    }
    const area = input.target ?? input.room;
    const cells = gridCells(area, input.resolution);
    if (cells > MAX_FITNESS_CELLS) {
      suggest(
        ctx,
        ["resolution"],
        `The fitness grid has ${cells} cells (at most ${MAX_FITNESS_CELLS})`,
        resolutionFor(area, MAX_FITNESS_CELLS),
      );
      return;
    }
    const work = input.population * input.generations * cells * input.sources.length;
    if (work > MAX_OPTIMIZER_WORK) {
      suggest(
        ctx,
        ["generations"],
        `${input.generations} generations would take too long (${work} evaluations, at most ${MAX_OPTIMIZER_WORK})`,
        Math.max(
          1,
          Math.floor(MAX_OPTIMIZER_WORK / (input.population * cells * input.sources.length)),
        ),
      );
    }
  }, whenValid);

/** Input of `optimizer.stop`. */
export const optimizerStopInput = z.object({ jobId: z.string().min(1).max(128) });

/** Input of `sources.move`: a source moved (or turned) in the room `room` by a user. */
export const sourcesMoveInput = z.object({
  room: name,
  sourceId: name,
  x: z.number().min(-1000).max(1000),
  y: z.number().min(-1000).max(1000),
  angle: ranged("angle").optional(),
});

/** The parsed input of `map.compute`. */
export type MapComputeInput = z.output<typeof mapComputeInput>;
/** The parsed input of `optimizer.start`. */
export type OptimizerStartInput = z.output<typeof optimizerStartInput>;
/** The parsed input of `sources.move`. */
export type SourcesMoveInput = z.output<typeof sourcesMoveInput>;
