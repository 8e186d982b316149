#!/usr/bin/env node
// `npm start`: the standalone hub with its inspector on the embedded memory broker, and the
// example hubs beside it, so a newcomer can open the inspector, connect it to an example and
// watch a job run. The hub prints its URLs (and, when it made up its API key, the key and a
// `curl` line that publishes with it); the example hubs are listed once they listen.
// PORT sets the hub's port (default 7070), the examples take the next two (PORT=0: free
// ports for all). Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.PORT ?? 7070);
const portOf = (offset) => String(port === 0 ? 0 : port + offset);
const examples = [
  {
    name: "acoustic-map",
    what: "a sound-pressure map and a genetic optimiser as jobs",
    args: ["run", "serve", "-w", "examples/acoustic-map"],
    env: { PORT: portOf(1) },
  },
  {
    name: "zstack-analysis",
    what: "a 3D image analysis as a job, with system status every 5 s",
    args: ["run", "serve", "-w", "examples/zstack-analysis", "--", "--port", portOf(2)],
    env: {},
  },
];

const children = [];
let stopping = false;

function run(name, command, args, env, { essential }) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: essential ? "inherit" : ["ignore", "pipe", "pipe"],
    // A process group of its own: `npm run` starts the example in a grandchild, which a signal
    // to npm alone would leave running; stop() signals the whole group.
    detached: true,
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

/** Resolves with the WebSocket URL an example prints once it listens, or null if it exits first. */
function listening(child) {
  return new Promise((resolve) => {
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      const url = /ws:\/\/\S+\/ws/.exec(output)?.[0];
      if (url) resolve(url);
    });
    child.on("exit", () => resolve(null));
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // The group is gone already.
    }
  }
}

process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const hubArgs = ["packages/cli/bin/switchyard.js", "serve", "--port", String(port)];
run("hub", process.execPath, [...hubArgs, ...process.argv.slice(2)], {}, { essential: true });
const started = examples.map((example) =>
  listening(run(example.name, "npm", example.args, example.env, { essential: false })),
);

const urls = await Promise.all(started);
if (!stopping) {
  const lines = examples.flatMap((e, i) => {
    const url = urls[i];
    if (url === null) return [`  ${e.name.padEnd(16)} did not start (see its output above)`];
    return [
      `  ${e.name.padEnd(16)} ${url}   ${e.what}`,
      `  ${"".padEnd(16)} terminal client: npm run client -w examples/${e.name} -- ${url}`,
    ];
  });
  console.error(
    `\n  Example hubs (connect the inspector's console to one, or run its terminal client):\n${lines.join("\n")}\n`,
  );
}
