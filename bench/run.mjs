#!/usr/bin/env node
// Starts the benchmark coordinator: TypeScript through tsx, workspace packages from source,
// the open-file limit raised to the hard limit, and pinned to core 1 when there are two
// (servers under test get core 0). Usage: node bench/run.mjs <scenario> [options]
import { spawn, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./src/cli.ts", import.meta.url));
const node = [
  process.execPath,
  "--conditions=@switchyard/source",
  `--import=${import.meta.resolve("tsx")}`,
  entry,
  ...process.argv.slice(2),
];
const canPin =
  cpus().length >= 2 && spawnSync("taskset", ["-c", "1", "true"], { stdio: "ignore" }).status === 0;
const argv = canPin ? ["taskset", "-c", "1", ...node] : node;
const child = spawn(
  "sh",
  ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv],
  {
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
