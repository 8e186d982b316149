import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { markdownTable } from "./report.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/**
 * The profile to read from a path: the file itself, or in a folder of one process's
 * profiles (one per thread) the largest, which is the main thread's.
 */
export function mainThreadProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(path, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) throw new Error(`No .cpuprofile in ${path}`);
  return files[0];
}

const IGNORED = new Set(["(root)", "(idle)", "(program)"]);

function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? `${basename(url)}:${lineNumber + 1}` : "native";
  return `${functionName || "(anonymous)"}\u0000${file}`;
}

/**
 * Summarises a V8 `.cpuprofile`: the functions with the most self time and the most total
 * (inclusive) time, as Markdown tables. Total time counts a recursive function once per stack.
 */
export function summarizeProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples.length;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let idle = 0;
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    const key = keyOf(node);
    const hits = node.hitCount ?? 0;
    if (node.callFrame.functionName === "(idle)") idle += hits;
    self.set(key, (self.get(key) ?? 0) + hits);
    const entered = !onStack.has(key);
    if (entered) onStack.add(key);
    let inclusive = hits;
    for (const child of node.children ?? []) {
      const childNode = byId.get(child);
      if (childNode) inclusive += walk(childNode, onStack);
    }
    if (entered) {
      onStack.delete(key);
      total.set(key, (total.get(key) ?? 0) + inclusive);
    }
    return inclusive;
  };
  const root = profile.nodes[0];
  if (root) walk(root, new Set());
  const busy = samples - idle;
  const pct = (hits: number) => `${((hits / busy) * 100).toFixed(1)}%`;
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([key]) => !IGNORED.has(key.split("\u0000")[0]!))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key]) => {
        const [name, location] = key.split("\u0000");
        return [pct(self.get(key) ?? 0), pct(total.get(key) ?? 0), name!, location!];
      });
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  return [
    `${basename(path)}: ${seconds.toFixed(1)} s, ${samples} samples, ${((idle / samples) * 100).toFixed(1)}% idle; shares of busy time`,
    "",
    "By self time:",
    "",
    markdownTable(["self", "total", "function", "where"], rows(self)),
    "",
    "By total time:",
    "",
    markdownTable(["self", "total", "function", "where"], rows(total)),
  ].join("\n");
}
