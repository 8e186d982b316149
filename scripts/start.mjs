#!/usr/bin/env node
// `npm start`: the standalone hub with its inspector on the embedded memory broker, and the
// example apps beside it: a launcher page listing every seed system rebuilt on Switchyard,
// each app with its own hub on the same origin. The inspector links to the launcher. The hub
// prints its URLs (and, when it made up its API key, the key and a `curl` line that publishes
// with it); the apps are listed once they listen.
// PORT sets the hub's port (default 7070), the apps take the next one (PORT=0: free ports
// for both). Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.PORT ?? 7070);
const appsPort = String(port === 0 ? 0 : port + 1);

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

/**
 * Resolves with what the web apps server prints once it listens — the launcher's URL and each
 * app's page and hub — or null if it exits first.
 */
function listening(child) {
  return new Promise((resolve) => {
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      const launcher = /^Example apps: (\S+)$/m.exec(output)?.[1];
      if (launcher === undefined || !output.includes("\n.\n")) return;
      const apps = [...output.matchAll(/^ {2}(\S+)\s+(http\S+)\s+hub (ws\S+)$/gm)].map(
        ([, name, page, hub]) => ({ name, page, hub }),
      );
      resolve({ launcher, apps });
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

const web = await listening(
  run(
    "example apps",
    "npm",
    ["run", "serve", "-w", "examples/web"],
    { PORT: appsPort },
    {
      essential: false,
    },
  ),
);
const hubArgs = ["packages/cli/bin/switchyard.js", "serve", "--port", String(port)];
if (web !== null) hubArgs.push("--link", `Example apps=${web.launcher}`);
// Ctrl-C while the apps were starting: nothing more to start.
if (!stopping) {
  run("hub", process.execPath, [...hubArgs, ...process.argv.slice(2)], {}, { essential: true });
}

if (stopping) {
  // Stopped before the hub started.
} else if (web === null) {
  console.error(
    "\n  The example apps did not start (see their output above); the hub runs alone.\n",
  );
} else if (!stopping) {
  const lines = web.apps.flatMap(({ name, page, hub }) => [
    `    ${name.padEnd(16)} ${page}`,
    `    ${"".padEnd(16)} hub ${hub}   terminal client: npm run client -w examples/${name} -- ${hub}`,
  ]);
  console.error(
    `\n  Example apps     ${web.launcher}   (the launcher: open it in a browser)\n${lines.join("\n")}\n`,
  );
}
