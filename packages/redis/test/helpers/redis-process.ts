import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/** Options of {@link startRedis}. */
export interface RedisProcessOptions {
  /** Port to listen on. @default a free port */
  port?: number;
  /** Milliseconds to wait for the server to answer PING. @default 10_000 */
  startTimeout?: number;
  /** Extra `redis-server` arguments (e.g. `["--maxmemory", "10mb"]`). */
  args?: string[];
}

/** A free TCP port on 127.0.0.1 (the port of a listener closed right away). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Sends one command to Redis over a fresh socket and resolves with the first line of the
 * reply (`+PONG`, `+OK`, `-ERR ...`, `:1`). Enough for a fixture; tests use node-redis.
 */
export async function rawCommand(port: number, ...args: string[]): Promise<string> {
  const socket = createConnection({ port, host: "127.0.0.1" });
  try {
    await once(socket, "connect");
    let request = `*${args.length}\r\n`;
    for (const arg of args) request += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
    socket.write(request);
    let reply = "";
    for await (const chunk of socket) {
      reply += String(chunk);
      const end = reply.indexOf("\r\n");
      if (end >= 0) return reply.slice(0, end);
    }
    throw new Error("Redis closed the connection without a reply");
  } finally {
    socket.destroy();
  }
}

/** A `redis-server` process owned by a test: no persistence, loopback only. */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private readonly extraArgs: string[];
  private readonly startTimeout: number;

  private constructor(
    readonly port: number,
    options: RedisProcessOptions,
  ) {
    this.extraArgs = options.args ?? [];
    this.startTimeout = options.startTimeout ?? 10_000;
  }

  /** Starts `redis-server` and resolves once it answers PING. Fails when it is not installed. */
  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    const redis = new RedisProcess(options.port ?? (await freePort()), options);
    await redis.spawn();
    return redis;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Kills the server with SIGKILL (a crash: no persistence, every key is lost). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
  }

  /** Kills the server and starts a new, empty one on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** Deletes every key (without a restart: connections stay up). */
  async flushall(): Promise<void> {
    const reply = await rawCommand(this.port, "FLUSHALL");
    if (reply !== "+OK") throw new Error(`FLUSHALL answered ${reply}`);
  }

  private async spawn(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"];
    args.push("no", ...this.extraArgs);
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output = (output + String(chunk)).slice(-4000);
    });
    child.stderr?.on("data", (chunk) => {
      output = (output + String(chunk)).slice(-4000);
    });
    let failure: Error | undefined;
    child.once("error", (error: NodeJS.ErrnoException) => {
      failure =
        error.code === "ENOENT"
          ? new Error("redis-server is not installed (Debian: apt-get install redis-server)")
          : error;
    });
    child.once("exit", (code, signal) => {
      failure ??= new Error(`redis-server exited (${code ?? signal}):\n${output}`);
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    const deadline = Date.now() + this.startTimeout;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if (failure !== undefined) {
        this.child = undefined;
        throw failure;
      }
      const reply = await rawCommand(this.port, "PING").catch(() => undefined);
      if (reply === "+PONG") return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server on port ${this.port} did not answer PING:\n${output}`);
      }
      // Polling is the only way to learn that a foreign process accepts connections.
      await delay(wait);
    }
  }
}
