/**
 * The two jobs of the simulator, shared by the RPCs of the terminal client (`map.compute`,
 * `optimizer.start`) and of the web app's projects (`project.simulate`, `project.optimize`).
 *
 * The map job reports the seed's steps: `applying_room_mask` (which cells lie inside the
 * room), `calculating_spl` (one chunk of rows after another) and `computing_statistics`.
 */
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { JobHandle } from "@switchyard/server";
import { encodeChunk } from "./map-chunk.js";
import {
  DEFAULT_OPTIMIZER_SETTINGS,
  type GenerationReport,
  GeneticOptimizer,
  type OptimizerProblem,
  type OptimizerSettings,
} from "./optimizer.js";
import type { Point } from "./room.js";
import { type Grid, maskedRow, roomMask, type Source, type SplStats, statsOf } from "./spl.js";

/** The result a map job completes with. */
export interface MapResult {
  stats: SplStats;
  computationMs: number;
}

/** The result an optimiser job completes with. */
export interface OptimizerResult {
  /** The last generation's report: its best layout is the answer. */
  final: GenerationReport;
  /** Best fitness of each generation, in order. */
  convergence: number[];
}

/** The steps a map job reports, in order. */
export const MAP_STEPS = ["applying_room_mask", "calculating_spl", "computing_statistics"] as const;

/** Share of the progress bar the room mask takes (the rest is the SPL, row by row). */
const MASK_PERCENT = 2;

/** What a map job computes. */
export interface MapJobInput {
  grid: Grid;
  sources: readonly Source[];
  room: readonly Point[];
  /** Air absorption in dB per metre (0: none). */
  absorption: number;
  rowsPerChunk: number;
  /**
   * Least milliseconds between two chunks: 0 sends each chunk as soon as it is computed; a
   * pace lets a person watch the map fill in (the seed sleeps between chunks too).
   */
  chunkInterval: number;
}

/** Waits until `at` (a `performance.now()` time), or only yields when it has passed. */
async function pace(at: number, signal: AbortSignal): Promise<void> {
  const wait = at - performance.now();
  if (wait > 1) await sleep(wait, undefined, { signal }).catch(() => undefined);
  else await yieldToEventLoop();
}

/** Computes the map chunk by chunk: each chunk is published before the next is computed. */
export async function runMapJob(job: JobHandle, input: MapJobInput): Promise<MapResult> {
  const started = performance.now();
  const { grid, rowsPerChunk } = input;
  await job.progress(0, { step: "applying_room_mask" });
  const mask = roomMask(grid, input.room);
  const total = Math.ceil(grid.rows / rowsPerChunk);
  const values: Float32Array[] = [];
  for (let index = 0; index < total; index++) {
    // Cancel is honoured between chunks.
    job.signal.throwIfAborted();
    const first = index * rowsPerChunk;
    const rows: Float32Array[] = [];
    for (let row = first; row < Math.min(first + rowsPerChunk, grid.rows); row++) {
      rows.push(maskedRow(grid, input.sources, mask, row, input.absorption));
    }
    values.push(...rows);
    await job.chunk(encodeChunk(first, rows), { index, total });
    await job.progress(MASK_PERCENT + ((index + 1) / total) * (100 - MASK_PERCENT), {
      step: index + 1 < total ? "calculating_spl" : "computing_statistics",
    });
    // Let the socket write and a cancel arrive between chunks.
    await pace(started + (index + 1) * input.chunkInterval, job.signal);
  }
  job.signal.throwIfAborted();
  const stats = statsOf(values.flatMap((row) => [...row]));
  return { stats, computationMs: Math.round(performance.now() - started) };
}

/** Runs the optimiser, one chunk (a {@link GenerationReport}) per generation. */
export async function runOptimizerJob(
  job: JobHandle,
  problem: OptimizerProblem,
  settings: Partial<OptimizerSettings> & { seed: number; generations: number },
  /** Least milliseconds between two generations (0: as fast as they compute). */
  generationInterval = 0,
): Promise<OptimizerResult> {
  const started = performance.now();
  const optimizer = new GeneticOptimizer(problem, { ...DEFAULT_OPTIMIZER_SETTINGS, ...settings });
  const convergence: number[] = [];
  let report = optimizer.report();
  while (!optimizer.done) {
    // Cancel is honoured between generations.
    job.signal.throwIfAborted();
    report = optimizer.next();
    convergence.push(report.best);
    await job.chunk(report, { index: report.generation - 1, total: settings.generations });
    await job.progress((report.generation / settings.generations) * 100, {
      step: "breeding_generations",
    });
    await pace(started + report.generation * generationInterval, job.signal);
  }
  return { final: report, convergence };
}
