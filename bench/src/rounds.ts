/**
 * Figures over rounds: a scenario run `--rounds n` times measures every target once per round
 * (each in a fresh server process), then reports per target the median of each figure, and per
 * ratio between two targets the ratios computed within each round and their median. Ratios are
 * taken within a round because two targets measured minutes apart share less of the machine's
 * noise than two measured one after the other.
 */
import { fmt } from "./report.js";
import type { TargetName } from "./targets.js";

/** The median of `values` (the mean of the two middle ones for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** One figure of a table: how to read it from a round's row and how to print it. */
export interface Column<R> {
  /** Key of the median in the JSON output. */
  key: string;
  header: string;
  value(row: R): number;
  format(value: number | undefined): string;
}

/** The medians over `rows` (one per round) of every column, keyed by `column.key`. */
export function medians<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
): Record<string, number | undefined> {
  return Object.fromEntries(
    columns.map((column) => [column.key, median(rows.map((row) => column.value(row)))]),
  );
}

/** Table cells: the median over `rows` (one per round) of every column, formatted. */
export function medianCells<R>(columns: readonly Column<R>[], rows: readonly R[]): string[] {
  return columns.map((column) => column.format(median(rows.map((row) => column.value(row)))));
}

/** Per-round results: index = round − 1; a target missing from a round failed in it. */
export type Rounds<R> = readonly ReadonlyMap<TargetName, R>[];

/** `a / b` within each round (undefined where either is missing) and the median of those. */
export interface RoundRatios {
  perRound: (number | undefined)[];
  median: number | undefined;
}

/** The ratio of `value` between targets `a` and `b`, round by round. */
export function roundRatios<R>(
  rounds: Rounds<R>,
  a: TargetName,
  b: TargetName,
  value: (row: R) => number,
): RoundRatios {
  const perRound = rounds.map((round) => {
    const rowA = round.get(a);
    const rowB = round.get(b);
    if (rowA === undefined || rowB === undefined) return undefined;
    const over = value(rowB);
    const ratio = value(rowA) / over;
    return over > 0 && Number.isFinite(ratio) ? ratio : undefined;
  });
  return {
    perRound,
    median: median(perRound.filter((ratio): ratio is number => ratio !== undefined)),
  };
}

/** A ratio as "1.23×", or "–" when missing. */
export function times(value: number | undefined): string {
  return value === undefined ? "–" : `${value.toFixed(2)}×`;
}

/**
 * A ratio over rounds for a Markdown line: "1.23×" after one round,
 * "median 0.97× (rounds: 0.90×, 1.51×, 0.98×)" after several.
 */
export function formatRoundRatios(ratios: RoundRatios): string {
  if (ratios.perRound.length <= 1) return times(ratios.median);
  return `median ${times(ratios.median)} (rounds: ${ratios.perRound.map(times).join(", ")})`;
}

/** "median of 3 rounds" for headings, or "" after one round. */
export function roundsPhrase(rounds: number): string {
  return rounds > 1 ? `median of ${fmt(rounds)} rounds` : "";
}
