import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { BENCH_DIR, findBun, openFileLimit, PINNED } from "./processes.js";

/** Where runs write their JSON (gitignored). */
export const RESULTS_DIR = join(BENCH_DIR, "results");

/** The machine a run happened on, for the README and the JSON. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  bun: string | null;
  pinned: boolean;
  openFileLimit: number;
  ephemeralPorts: string;
}

export function machineInfo(): MachineInfo {
  const bun = findBun();
  let ephemeralPorts = "unknown";
  try {
    ephemeralPorts = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .replace(/\s+/, "-");
  } catch {
    // not Linux
  }
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    bun: bun ? execFileSync(bun, ["--version"], { encoding: "utf8" }).trim() : null,
    pinned: PINNED,
    openFileLimit: openFileLimit(),
    ephemeralPorts,
  };
}

/** Load average over 1, 5, 15 minutes, rounded. */
export function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

/** A Markdown table from a header and rows of cells. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  const rule = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** A number with `digits` significant figures at most, thousands separated. */
export function fmt(value: number | undefined, digits = 3): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return "∞";
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** Microseconds shown as milliseconds. */
export function ms(micros: number | undefined): string {
  return micros === undefined ? "–" : fmt(micros / 1000);
}

/** Writes one scenario's JSON to the results folder; returns its path. */
export function writeResult(scenario: string, data: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const path = join(RESULTS_DIR, `${scenario}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
