import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ControlClient } from "./control.js";
import type { LoadgenCommand, LoadgenMessage, LoadgenReport } from "./loadgen.js";
import type { Target } from "./targets.js";

const SRC = dirname(fileURLToPath(import.meta.url));
/** The bench workspace folder. */
export const BENCH_DIR = dirname(SRC);
const TSX = import.meta.resolve("tsx");
const NODE_FLAGS = ["--conditions=@switchyard/source", `--import=${TSX}`];

function commandExists(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Server on core 0, load generators and coordinator on core 1 (when there are two). */
export const PINNED = cpus().length >= 2 && commandExists("taskset", ["-c", "0", "true"]);

function pinned(core: number, argv: string[]): string[] {
  return PINNED ? ["taskset", "-c", String(core), ...argv] : argv;
}

/** Spawns through `sh` to raise the open-file soft limit to the hard limit first. */
function spawnRaised(argv: string[], stdio: ("ignore" | "pipe" | "inherit" | "ipc")[]) {
  return spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv], {
    stdio,
    cwd: BENCH_DIR,
  });
}

/** The open-file limit a spawned process gets. */
export function openFileLimit(): number {
  try {
    return Number(execFileSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim());
  } catch {
    return 1024;
  }
}

let bunPath: string | null | undefined;

/** The Bun binary installed by the `bun` npm package, or one on PATH; null when absent. */
export function findBun(): string | null {
  if (bunPath !== undefined) return bunPath;
  const require = createRequire(import.meta.url);
  const candidates: string[] = [];
  for (const [pkg, bin] of [
    ["bun/package.json", "bin/bun.exe"],
    [`@oven/bun-${process.platform}-${process.arch}/package.json`, "bin/bun"],
  ] as const) {
    try {
      candidates.push(join(dirname(require.resolve(pkg)), bin));
    } catch {
      // not installed
    }
  }
  candidates.push("bun");
  bunPath = candidates.find((candidate) => commandExists(candidate, ["--version"])) ?? null;
  return bunPath;
}

/** Reads `utime + stime` of a process (all its threads) in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
}

/** CPU time every process of the machine spent busy (all cores), in microseconds. */
export function machineBusyMicros(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy =
    (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return (busy / CLOCK_TICKS) * 1e6;
}

/** Resident set size of a process in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A server under test running in its own process, pinned to core 0. */
export class ServerProcess {
  private constructor(
    readonly target: Target,
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly control: ControlClient,
    /** Bound of the error of the server's event timestamps (0: same clock as the clients). */
    readonly clockErrorMicros: number,
  ) {}

  static async start(target: Target): Promise<ServerProcess> {
    const script = join(SRC, "servers", target.script);
    let argv: string[];
    if (target.runtime === "bun") {
      const bun = findBun();
      if (!bun) throw new Error("Bun is not installed");
      argv = [bun, script];
    } else {
      argv = [process.execPath, "--expose-gc", ...NODE_FLAGS, script];
    }
    const child = spawnRaised(pinned(0, argv), ["ignore", "pipe", "inherit"]);
    live.add(child);
    child.once("exit", () => live.delete(child));
    const ready = await new Promise<{ port: number; control: number }>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`${target.name} did not start`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /READY (\{.*\})/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(JSON.parse(match[1]!) as { port: number; control: number });
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${target.name} exited with ${code} before it was ready`));
      });
    });
    const control = await ControlClient.connect(ready.control);
    // Node's process.hrtime is CLOCK_MONOTONIC, shared by every process; Bun's starts at its
    // own process start, so a Bun server's clock is aligned with a round-trip exchange.
    const clockError = target.runtime === "bun" ? await control.alignClock() : 0;
    return new ServerProcess(target, child, child.pid ?? 0, ready.port, control, clockError);
  }

  cpuMicros(): number {
    return cpuMicros(this.pid);
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  async stop(): Promise<void> {
    this.control.close();
    this.child.kill("SIGTERM");
    if (!(await waitForExit(this.child, 10_000))) {
      this.child.kill("SIGKILL");
      await waitForExit(this.child, 2_000);
    }
  }
}

/** A load-generator process, pinned to core 1, driven over IPC. */
export class Loadgen {
  /** Deliveries counted so far (from the latest progress message). */
  received = 0;
  private readonly waiters = new Map<string, (message: LoadgenMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    onProgress: () => void,
  ) {
    child.on("message", (message: LoadgenMessage) => {
      if (message.type === "progress") {
        this.received = message.received;
        onProgress();
        return;
      }
      const waiter = this.waiters.get(message.type);
      this.waiters.delete(message.type);
      waiter?.(message);
    });
  }

  static start(onProgress: () => void): Loadgen {
    const argv = [process.execPath, ...NODE_FLAGS, join(SRC, "loadgen.ts")];
    const child = spawnRaised(pinned(1, argv), ["ignore", "inherit", "inherit", "ipc"]);
    live.add(child);
    child.once("exit", () => live.delete(child));
    return new Loadgen(child, child.pid ?? 0, onProgress);
  }

  private request<T extends LoadgenMessage["type"]>(
    command: LoadgenCommand,
    reply: T,
    timeoutMs: number,
  ): Promise<Extract<LoadgenMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(reply);
        reject(new Error(`load generator: no '${reply}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(reply, (message) => {
        clearTimeout(timer);
        resolve(message as Extract<LoadgenMessage, { type: T }>);
      });
      this.child.send(command);
    });
  }

  open(command: Extract<LoadgenCommand, { type: "open" }>, timeoutMs: number) {
    return this.request(command, "opened", timeoutMs);
  }

  resetLatency(): void {
    this.child.send({ type: "reset" } satisfies LoadgenCommand);
  }

  async report(): Promise<LoadgenReport> {
    return (await this.request({ type: "report" }, "report", 10_000)).report;
  }

  cpuMicros(): number {
    return cpuMicros(this.pid);
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.send({ type: "close" } satisfies LoadgenCommand);
    if (!(await waitForExit(this.child, 10_000))) this.child.kill("SIGKILL");
  }
}
