/**
 * Cluster fixtures: real `switchyard serve --redis` processes (the built bin) on one real
 * `redis-server`, a TCP load balancer in front of them, and a publisher of sequenced events
 * through the nodes' HTTP APIs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { RedisProcess } from "../../../redis/test/helpers/redis-process.js";
import type { ConfigInput } from "../../src/config.js";
import { onCleanup } from "../helpers.js";

export { Signal } from "@switchyard/server/testing";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/switchyard.js");
/** The API key every test node shares (as the nodes of one cluster would). */
export const API_KEY = "cluster-test-key";

/** Builds the bin's dist/ (incremental: quick when nothing changed). */
export async function buildBin(): Promise<void> {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  await promisify(execFile)(process.execPath, [tsc, "-b", "packages/cli/tsconfig.build.json"], {
    cwd: ROOT,
  });
}

/** Writes a config file for the nodes; removed after the test. */
export async function writeConfig(config: ConfigInput): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-cluster-"));
  onCleanup(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, "switchyard.json");
  await writeFile(path, JSON.stringify(config));
  return path;
}

/** A real Redis and three `switchyard serve --redis` nodes sharing one config. */
export interface Cluster {
  redis: RedisProcess;
  /** The Redis key prefix of this cluster (unique per test). */
  prefix: string;
  nodes: HubProcess[];
}

/**
 * Starts a Redis and three nodes: anonymous subscribers, authenticated publishers, a history
 * long enough for the test's whole stream, a key prefix unique to this test. `configRedisUrl`
 * puts another URL in the config file (the nodes' `--redis` flag must win over it).
 */
export async function startCluster(
  name: string,
  options: { configRedisUrl?: string } = {},
): Promise<Cluster> {
  const redis = await RedisProcess.start();
  onCleanup(() => redis.stop());
  const prefix = `${name}-${randomUUID().slice(0, 8)}`;
  const config = await writeConfig({
    apiKey: API_KEY,
    allowAnonymous: true,
    defaultNamespace: {
      subscribe: "anyone",
      publish: "authenticated",
      history: { size: 25_000, ttl: 600_000 },
    },
    redis: { url: options.configRedisUrl ?? redis.url, prefix },
    shutdownTimeout: 500,
  });
  const nodes = await Promise.all([0, 1, 2].map(() => HubProcess.start(redis.url, config)));
  return { redis, prefix, nodes };
}

/** One `switchyard serve` process. */
export class HubProcess {
  readonly stdout: string[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  url = "";
  wsUrl = "";
  #partial = "";
  #changed: (() => void)[] = [];

  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (this.#partial + chunk).split("\n");
      this.#partial = lines.pop() ?? "";
      this.stdout.push(...lines);
      this.#poke();
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.#poke();
    });
    this.exited = once(child, "exit").then(([code]) => code as number | null);
    this.exited.then(() => this.#poke());
  }

  #poke(): void {
    for (const check of this.#changed.splice(0)) check();
  }

  /** True until the process exited. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns `switchyard serve` with `args`; killed (SIGKILL) after the test. */
  static spawn(args: string[]): HubProcess {
    const env = { ...process.env };
    delete env.SWITCHYARD_API_KEY;
    delete env.SWITCHYARD_REDIS_URL;
    const child = spawn(process.execPath, [BIN, "serve", ...args], { cwd: ROOT, env });
    const node = new HubProcess(child);
    onCleanup(() => {
      if (node.alive) child.kill("SIGKILL");
      return node.exited;
    });
    return node;
  }

  /** Starts a node on port 0 and resolves once it listens. */
  static async start(redisUrl: string, configPath: string): Promise<HubProcess> {
    const node = HubProcess.spawn(["--port", "0", "--redis", redisUrl, "--config", configPath]);
    await node.waitFor(() => {
      for (const line of node.stdout) {
        const entry = JSON.parse(line) as { url?: string; wsUrl?: string };
        if (entry.url?.startsWith("http") && entry.wsUrl !== undefined) {
          node.url = entry.url;
          node.wsUrl = entry.wsUrl;
          return true;
        }
      }
      return undefined;
    });
    return node;
  }

  /** Resolves with the first defined value of `find`, re-checked on every output. */
  waitFor<T>(find: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) resolve(found);
        else if (!this.alive) reject(new Error(`the node exited: ${this.stderr}`));
        else this.#changed.push(check);
      };
      check();
    });
  }

  /** The WebSocket port (for the load balancer). */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** `GET /stats` of this node. */
  async stats(): Promise<Record<string, unknown> & { connections: number }> {
    return (await fetch(`${this.url}/stats`)).json() as Promise<
      Record<string, unknown> & { connections: number }
    >;
  }

  /** POST `path` of the HTTP API with the shared key. */
  api(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.url}/api/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }
}

/**
 * A TCP load balancer on 127.0.0.1: each new connection goes to the next backend in turn that
 * accepts it (a refused backend is skipped), with no stickiness; when a backend's side closes,
 * the client's side is closed too, as a real balancer does when a node dies.
 */
export class Balancer {
  #next = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly server: Server,
    readonly backends: number[],
  ) {}

  static async start(backends: number[]): Promise<Balancer> {
    const server = createServer();
    const balancer = new Balancer(server, backends);
    server.on("connection", (socket) => balancer.#route(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    onCleanup(() => balancer.close());
    return balancer;
  }

  /** `ws://127.0.0.1:<port>/ws`. */
  get wsUrl(): string {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return `ws://127.0.0.1:${address.port}/ws`;
  }

  #route(client: Socket): void {
    client.pause();
    this.#sockets.add(client);
    client.on("error", () => {});
    client.on("close", () => this.#sockets.delete(client));
    const start = this.#next++;
    const attempt = (tried: number) => {
      if (tried >= this.backends.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = this.backends[(start + tried) % this.backends.length] as number;
      const backend = createConnection({ port, host: "127.0.0.1" });
      this.#sockets.add(backend);
      let connected = false;
      backend.on("error", () => {
        if (!connected) attempt(tried + 1);
      });
      backend.once("connect", () => {
        connected = true;
        backend.on("close", () => client.destroy());
        client.on("close", () => backend.destroy());
        client.pipe(backend);
        backend.pipe(client);
        client.resume();
      });
      backend.on("close", () => this.#sockets.delete(backend));
    };
    attempt(0);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await closed;
  }
}

/** One event of a sequence as published: channel `channel`, data `{ n }`. */
export interface Sequenced {
  channel: string;
  n: number;
}

/** Options of {@link publishSequences}. */
export interface PublishSequencesOptions {
  channels: string[];
  perChannel: number;
  /** Events per HTTP request (an array publish). */
  batch: number;
  /** The nodes, in the order batches rotate over them. */
  nodes: () => HubProcess[];
  /** Called after each accepted batch with the number of events published so far. */
  progress?: (published: number) => void;
}

/**
 * Publishes `perChannel` events `{ n: 0, 1, … }` on every channel through the nodes' HTTP
 * APIs: batch `k` of a channel goes to node `k % nodes`, the channels in parallel, the batches
 * of one channel one after the other (so their order is the order of `n`). A failed request is
 * retried on the next node with the same idempotency keys, so nothing is published twice.
 */
export async function publishSequences(options: PublishSequencesOptions): Promise<number> {
  const { channels, perChannel, batch } = options;
  let published = 0;
  let retries = 0;
  await Promise.all(
    channels.map(async (channel, index) => {
      for (let k = 0; k * batch < perChannel; k++) {
        const items = [];
        for (let n = k * batch; n < Math.min(perChannel, (k + 1) * batch); n++) {
          items.push({ channel, event: "seq", data: { n }, idempotencyKey: `${channel}:${n}` });
        }
        for (let attempt = 0; ; attempt++) {
          const nodes = options.nodes();
          const node = nodes[(k + index + attempt) % nodes.length] as HubProcess;
          const response = await node.api("publish", items).catch(() => undefined);
          if (response?.status === 200) {
            await response.body?.cancel();
            break;
          }
          await response?.body?.cancel();
          retries++;
          if (retries > 10_000) throw new Error("publishing keeps failing");
          // A whole round failed (Redis down): give the nodes a moment before the next round.
          if ((attempt + 1) % nodes.length === 0) await new Promise((r) => setTimeout(r, 25));
        }
        published += items.length;
        options.progress?.(published);
      }
    }),
  );
  return retries;
}
