import { performance } from "node:perf_hooks";
import { TargetRun } from "../harness.js";
import { findBun } from "../processes.js";
import type { Target, TargetName } from "../targets.js";

/** Options every scenario takes. */
export interface ScenarioOptions {
  targets: Target[];
  /** Tiny sizes and short phases: checks that the harness works, measures nothing. */
  smoke: boolean;
  /** Write a V8 CPU profile of every Node server here. */
  profileDir?: string;
  /** Events in flight in closed loops. @default 8 */
  window?: number;
  /** Length of each measured phase in ms (full runs). */
  measureMs?: number;
  /**
   * Times the whole target sequence runs, interleaved (round 1: every target, round 2: every
   * target, …), each in a fresh server process; tables show medians. Light-load and idle-memory.
   * @default 1
   */
  rounds?: number;
  /** Idle-memory: these connection counts instead of the scenario's sizes. */
  connections?: number[];
  log(line: string): void;
}

/** What a scenario hands back: a Markdown section and the figures behind it. */
export interface ScenarioResult {
  scenario: string;
  markdown: string;
  params: object;
  /** Raw figures: with several rounds, one row per target and round. */
  rows: object[];
  /** With several rounds: the medians the table shows, one entry per table row. */
  medians?: object[];
  /** Targets that failed (a broken harness, not a slow target). */
  failures: string[];
  notes: string[];
}

/** Runs `body` for every target in its own server process; a failing target does not stop the others. */
export async function forEachTarget<R>(
  options: ScenarioOptions,
  loadgens: number,
  body: (run: TargetRun) => Promise<R>,
): Promise<{ results: Map<TargetName, R>; failures: string[]; notes: string[] }> {
  const results = new Map<TargetName, R>();
  const failures: string[] = [];
  const notes: string[] = [];
  for (const target of options.targets) {
    if (target.runtime === "bun" && !findBun()) {
      notes.push(`${target.label}: skipped, the Bun binary is not installed`);
      options.log(`  ${target.name}: skipped (no Bun binary)`);
      continue;
    }
    const started = performance.now();
    let run: TargetRun | undefined;
    try {
      run = await TargetRun.start(target, { loadgens, profileDir: options.profileDir });
      const clockError = run.server.clockErrorMicros;
      if (clockError > 0) {
        notes.push(
          `${target.label}: server clock aligned by round trip, error ≤ ${clockError.toFixed(0)} µs`,
        );
      }
      results.set(target.name, await body(run));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${target.name}: ${message}`);
      options.log(`  ${target.name} failed: ${message}`);
    } finally {
      await run?.stop();
    }
    options.log(`  ${target.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { results, failures, notes };
}

/**
 * Runs `forEachTarget` `options.rounds` times in a row, so that every round measures every
 * target once and the rounds interleave. With several rounds, failures and notes name their round.
 */
export async function forEachRound<R>(
  options: ScenarioOptions,
  loadgens: number,
  body: (run: TargetRun) => Promise<R>,
): Promise<{ rounds: Map<TargetName, R>[]; failures: string[]; notes: string[] }> {
  const count = options.rounds ?? 1;
  const rounds: Map<TargetName, R>[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (let round = 1; round <= count; round++) {
    if (count > 1) options.log(` round ${round} of ${count}`);
    const outcome = await forEachTarget(options, loadgens, body);
    const prefix = count > 1 ? `round ${round}: ` : "";
    rounds.push(outcome.results);
    failures.push(...outcome.failures.map((failure) => prefix + failure));
    for (const note of outcome.notes) {
      // A note every round repeats (a skipped target) is said once.
      if (seen.has(note)) continue;
      seen.add(note);
      notes.push(prefix + note);
    }
  }
  return { rounds, failures, notes };
}

/** Throws when fewer than all clients connected (the figures would not compare). */
export function requireAll(
  opened: { ready: number; failed: number; firstError?: string },
  want: number,
) {
  if (opened.ready < want) {
    throw new Error(
      `only ${opened.ready} of ${want} clients connected (${opened.failed} failed: ${opened.firstError ?? "timeout"})`,
    );
  }
}

/** `a / b` as "1.23×", or "–" when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0) || Number.isNaN(a)) return "–";
  return `${(a / b).toFixed(2)}×`;
}
