#!/usr/bin/env node
// `npm start`: the standalone hub with its inspector on the embedded memory broker, and the
// example hubs beside it, so a newcomer can open the inspector, connect it to an example and
// watch a job run. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.PORT ?? 7070);
const examples = [
  {
    name: "acoustic-map",
    port: port + 1,
    what: "a sound-pressure map and a genetic optimiser as jobs",
    args: ["run", "serve", "-w", "examples/acoustic-map"],
    env: { PORT: String(port + 1) },
  },
  {
    name: "zstack-analysis",
    port: port + 2,
    what: "a 3D image analysis as a job, with system status every 5 s",
    args: ["run", "serve", "-w", "examples/zstack-analysis", "--", "--port", String(port + 2)],
    env: {},
  },
];

const children = [];
let stopping = false;

function run(name, command, args, env, { essential }) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: essential ? "inherit" : ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk) => process.stderr.write(`[${name}] ${chunk}`));
  child.on("exit", (code, signal) => {
    if (stopping) return;
    if (essential) {
      stop();
      process.exitCode = code ?? (signal ? 1 : 0);
    } else {
      console.error(`[${name}] stopped (${signal ?? `exit ${code}`}); the hub keeps running`);
    }
  });
  children.push(child);
  return child;
}

function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
}

process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const hubArgs = ["packages/cli/bin/switchyard.js", "serve", "--port", String(port)];
run("hub", process.execPath, [...hubArgs, ...process.argv.slice(2)], {}, { essential: true });
for (const example of examples) {
  run(example.name, "npm", example.args, example.env, { essential: false });
}

const lines = examples.map(
  (e) =>
    `  ${e.name.padEnd(16)} ws://127.0.0.1:${e.port}/ws   ${e.what}\n` +
    `  ${"".padEnd(16)} terminal client: npm run client -w examples/${e.name} -- ws://127.0.0.1:${e.port}/ws`,
);
console.error(
  `\n  Example hubs (connect the inspector's console to one, or run its terminal client):\n${lines.join("\n")}\n`,
);
