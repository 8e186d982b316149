/**
 * The benchmark coordinator: `node bench/run.mjs <scenario> [options]`.
 *
 * Scenarios: fan-out, many-channels, idle-memory, light-load, cross-node (needs redis-server),
 * all, smoke. Tools:
 * `profile <file>` summarises a CPU profile; `heap-diff <before> <after> <connections>`
 * compares two heap snapshots. Options: --targets a,b (switchyard-json, switchyard-msgpack,
 * ws, socketio, bun), --window <events>, --measure <ms>, --rounds <n> (light-load and
 * idle-memory: every target n times, interleaved; tables show medians), --connections <n,…>
 * (idle-memory: these sizes instead of 10,000 and 50,000), --profile (CPU profiles of the
 * measured phases and, in idle-memory, heap snapshots of the Node servers, into
 * results/profiles; profiling slows the server, so profiled figures are not for tables).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { heapDiff } from "./heap-diff.js";
import { mainThreadProfile, summarizeProfile } from "./profile-summary.js";
import { loadAverage, machineInfo, RESULTS_DIR, writeResult } from "./report.js";
import { crossNode } from "./scenarios/cross-node.js";
import { fanOut } from "./scenarios/fan-out.js";
import { idleMemory } from "./scenarios/idle-memory.js";
import { lightLoad } from "./scenarios/light-load.js";
import { manyChannels } from "./scenarios/many-channels.js";
import type { ScenarioOptions, ScenarioResult } from "./scenarios/scenario.js";
import { selectTargets } from "./targets.js";

/** Scenarios that take `--rounds`; the others measure each target once. */
const WITH_ROUNDS = new Set(["idle-memory", "light-load"]);

const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<ScenarioResult>> = {
  "fan-out": fanOut,
  "many-channels": manyChannels,
  "idle-memory": idleMemory,
  "light-load": lightLoad,
  "cross-node": crossNode,
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    targets: { type: "string" },
    window: { type: "string" },
    measure: { type: "string" },
    rounds: { type: "string" },
    connections: { type: "string" },
    profile: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A positive whole number from option `--name`, or a clear error. */
function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} takes a positive whole number, not '${text}'`);
  }
  return value;
}

async function main(): Promise<number> {
  const [command = "", ...rest] = positionals;
  if (command === "heap-diff") {
    const [before, after, connections] = rest;
    if (!before || !after || !connections) {
      throw new Error("usage: heap-diff <before.heapsnapshot> <after.heapsnapshot> <connections>");
    }
    process.stdout.write(`${heapDiff(before, after, Number(connections))}\n`);
    return 0;
  }
  if (command === "profile") {
    if (!rest[0]) throw new Error("usage: profile <file.cpuprofile | folder>");
    process.stdout.write(`${summarizeProfile(mainThreadProfile(rest[0]))}\n`);
    return 0;
  }
  const smoke = command === "smoke" || values.smoke === true;
  const names = command === "all" || command === "smoke" ? Object.keys(SCENARIOS) : [command];
  for (const name of names) {
    if (!SCENARIOS[name]) {
      throw new Error(
        `Unknown scenario '${name}'; known: ${Object.keys(SCENARIOS).join(", ")}, all, smoke, profile`,
      );
    }
  }
  const options: ScenarioOptions = {
    targets: selectTargets(values.targets),
    smoke,
    profileDir: values.profile ? join(RESULTS_DIR, "profiles") : undefined,
    window: values.window ? Number(values.window) : undefined,
    measureMs: values.measure ? Number(values.measure) : undefined,
    rounds: values.rounds ? positiveInteger("rounds", values.rounds) : 1,
    connections: values.connections
      ? values.connections.split(",").map((part) => positiveInteger("connections", part.trim()))
      : undefined,
    log,
  };
  if ((options.rounds ?? 1) > 1) {
    for (const name of names.filter((name) => !WITH_ROUNDS.has(name))) {
      log(`${name}: --rounds applies to ${[...WITH_ROUNDS].join(" and ")} only; one round`);
    }
  }
  if (options.connections && names.some((name) => name !== "idle-memory")) {
    log("--connections applies to idle-memory only");
  }
  const machine = machineInfo();
  log(
    `${machine.cores} × ${machine.cpu}, Linux ${machine.kernel}, Node ${machine.node}, ` +
      `Bun ${machine.bun ?? "absent"}, pinned: ${machine.pinned}, load ${loadAverage().join(" ")}`,
  );
  let failed = 0;
  for (const name of names) {
    const loadBefore = loadAverage();
    const startedAt = new Date().toISOString();
    const result = await SCENARIOS[name]!(options);
    const loadAfter = loadAverage();
    const file = writeResult(smoke ? `smoke-${name}` : name, {
      ...result,
      startedAt,
      machine,
      smoke,
      loadAverage: { before: loadBefore, after: loadAfter },
    });
    const extra = [...result.notes, ...result.failures.map((failure) => `FAILED ${failure}`)];
    process.stdout.write(
      `\n${result.markdown}\n\n` +
        `Load average (1/5/15 min) before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}.\n` +
        (extra.length > 0 ? `${extra.map((line) => `- ${line}`).join("\n")}\n` : "") +
        `JSON: ${file}\n`,
    );
    failed += result.failures.length;
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
