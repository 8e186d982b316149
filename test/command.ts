/**
 * A command of the README run as a newcomer runs it (`npm start`, `npm run quickstart`): in
 * its own process group from the repository root, its output collected, ended with its whole
 * group (npm, tsx and node) after the test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

const running = new Set<Command>();
afterEach(async () => {
  await Promise.all([...running].map((command) => command.stop()));
});

/** One command line (words split on spaces, no shell), started at once. */
export class Command {
  stdout = "";
  stderr = "";
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #waiters: (() => void)[] = [];

  constructor(line: string, env: Record<string, string | undefined> = {}) {
    const [file = "", ...args] = line.trim().split(/\s+/);
    const merged = { ...process.env, ...env };
    // `undefined` unsets a variable of this process's environment.
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
    this.#child = spawn(file, args, {
      cwd: ROOT,
      env: merged,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.#poke();
    });
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.#poke();
    });
    this.exited = once(this.#child, "exit").then(([code]) => {
      running.delete(this);
      this.#poke();
      return code as number | null;
    });
    running.add(this);
  }

  #poke(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get #ended(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** The first match of `pattern` in stdout and stderr, once it is there. */
  async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const match = pattern.exec(this.stdout) ?? pattern.exec(this.stderr);
      if (match) return match;
      if (this.#ended) {
        throw new Error(`exited before printing ${pattern}:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends `signal` to the whole process group and waits for its leader to exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const pid = this.#child.pid;
    try {
      // Even after the leader exited, what it started may still run in its group.
      if (pid !== undefined) process.kill(-pid, signal);
    } catch {
      // The group is gone.
    }
    return this.exited;
  }
}
