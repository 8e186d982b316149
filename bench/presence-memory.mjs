#!/usr/bin/env node
// Prints the memory one presence entry costs: in the memory broker's store (V8 heap, after a
// full GC) and in Redis (`used_memory`, when `redis-server` is on the PATH). Workspace
// packages are loaded from source, through tsx. Usage: node bench/presence-memory.mjs [n]
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./src/presence-memory.ts", import.meta.url));
const child = spawn(
  process.execPath,
  [
    "--expose-gc",
    "--conditions=@switchyard/source",
    `--import=${import.meta.resolve("tsx")}`,
    entry,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
