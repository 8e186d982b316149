/**
 * Cross-node delivery: what Redis between two hub nodes costs. A publisher on one node and
 * subscribers on another, against a single node (memory broker, then Redis broker): latency
 * p50/p99 at a steady rate (open loop), then throughput with a bounded window (closed loop).
 * Hub nodes are `switchyard serve` processes (from source), Redis a `redis-server` on a free
 * port; the clients live in this process, so one clock times every delivery.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { jsonCodec, type ServerFrame } from "@switchyard/protocol";
import WebSocket from "ws";
import { Histogram, type LatencySummary } from "../histogram.js";
import { BENCH_DIR, PINNED } from "../processes.js";
import { fmt, markdownTable, ms } from "../report.js";
import type { ScenarioOptions, ScenarioResult } from "./scenario.js";

const ROOT = dirname(BENCH_DIR);
const CHANNEL = "bench:cross";
/** Runs the CLI from source, as the other benchmark servers run. */
const NODE_SCRIPT =
  'import { main } from "@switchyard/cli"; main(process.argv.slice(1)).then((c) => { process.exitCode = c; });';
const PAD = "x".repeat(100);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function pinned(argv: string[]): string[] {
  return PINNED ? ["taskset", "-c", "0", ...argv] : argv;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A `redis-server` without persistence; undefined when the binary is missing. */
async function startRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const port = await freePort();
  const [command, ...args] = pinned(["redis-server", "--port", String(port), "--bind"]);
  args.push("127.0.0.1", "--save", "", "--appendonly", "no");
  const child = spawn(command as string, args, { stdio: "ignore" });
  const missing = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(true));
    child.once("spawn", () => resolve(false));
  });
  if (missing) return undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("error", () => resolve(false));
      socket.once("connect", () => socket.end("PING\r\n"));
      socket.once("data", (data) => resolve(String(data).startsWith("+PONG")));
    });
    if (pong) return { url: `redis://127.0.0.1:${port}`, child };
    await delay(25);
  }
  await stop(child);
  throw new Error("redis-server did not answer PING");
}

/** One `switchyard serve` node; resolves with its WebSocket URL once it listens. */
async function startNode(configPath: string) {
  const argv = pinned([
    process.execPath,
    "--conditions=@switchyard/source",
    `--import=${import.meta.resolve("tsx")}`,
    "--input-type=module",
    "-e",
    NODE_SCRIPT,
    "--",
    "serve",
    "--port",
    "0",
    "--config",
    configPath,
  ]);
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-2000);
  });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk) => {
      buffer += String(chunk);
      const found = /"wsUrl":"(ws:\/\/[^"]+)"/.exec(buffer);
      if (found?.[1]) resolve(found[1]);
    });
    child.once("exit", () => reject(new Error(`node exited: ${stderr}`)));
    setTimeout(() => reject(new Error(`node did not start: ${stderr}`)), 60_000).unref();
  });
  return { child, wsUrl };
}

interface Payload {
  t: number;
  pad: string;
}

/** A raw protocol client: connect, subscribe, publish with acks, events to `onEvent`. */
class BenchClient {
  onEvent: (data: Payload) => void = () => {};
  private nextId = 1;
  private readonly replies = new Map<number, (ok: boolean) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (raw: Buffer) => {
      const decoded = jsonCodec.decode(raw.toString()) as ServerFrame | ServerFrame[];
      for (const frame of Array.isArray(decoded) ? decoded : [decoded]) this.handle(frame);
    });
  }

  static async open(url: string, channels: string[]): Promise<BenchClient> {
    const ws = new WebSocket(url, [jsonCodec.subprotocol]);
    const client = new BenchClient(ws);
    await once(ws, "open");
    await client.request({ type: "connect" });
    for (const channel of channels) await client.request({ type: "subscribe", channel });
    return client;
  }

  private handle(frame: ServerFrame): void {
    if (frame.type === "event") this.onEvent(frame.data as Payload);
    else if (frame.type === "ping") this.ws.send(jsonCodec.encode({ type: "pong" }));
    else if (frame.type === "reply") {
      this.replies.get(frame.id)?.(!("error" in frame && frame.error));
      this.replies.delete(frame.id);
    }
  }

  request(frame: object): Promise<boolean> {
    const id = this.nextId++;
    this.ws.send(jsonCodec.encode({ ...frame, id }));
    return new Promise((resolve) => this.replies.set(id, resolve));
  }

  publish(): Promise<boolean> {
    const data: Payload = { t: performance.now(), pad: PAD };
    return this.request({ type: "publish", channel: CHANNEL, event: "tick", data });
  }

  close(): void {
    this.ws.terminate();
  }
}

interface Phases {
  subscribers: number;
  publishers: number;
  perSecond: number;
  window: number;
  warmupMs: number;
  measureMs: number;
}

interface Row {
  setup: string;
  latency: LatencySummary;
  lost: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
}

/** Resolves once `done()` holds, checked every few ms, or after `timeoutMs`. */
async function settle(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await delay(5);
}

async function measure(setup: string, pubUrl: string, subUrl: string, phases: Phases) {
  let sent = 0;
  // Several publishers: one connection's publishes are handled in order, one Redis round trip
  // each, which would measure that round trip rather than the node.
  const publishers = await Promise.all(
    Array.from({ length: phases.publishers }, () => BenchClient.open(pubUrl, [])),
  );
  const publish = () => (publishers[sent % publishers.length] as BenchClient).publish();
  const subscribers = await Promise.all(
    Array.from({ length: phases.subscribers }, () => BenchClient.open(subUrl, [CHANNEL])),
  );
  try {
    const histogram = new Histogram();
    let recording = false;
    let received = 0;
    let first = 0;
    subscribers.forEach((subscriber, index) => {
      subscriber.onEvent = (data) => {
        received++;
        if (index === 0) first++;
        if (recording) histogram.record((performance.now() - data.t) * 1000);
      };
    });

    // Latency: a steady rate (open loop), sent in 10 ms ticks.
    let recordedSent = 0;
    const paced = async (durationMs: number, record: boolean) => {
      recording = record;
      const start = performance.now();
      let due = 0;
      while (performance.now() - start < durationMs) {
        const target = Math.floor(((performance.now() - start) / 1000) * phases.perSecond);
        for (; due < target; due++) {
          void publish();
          sent++;
          if (record) recordedSent++;
        }
        await delay(10);
      }
    };
    await paced(phases.warmupMs, false);
    await settle(() => first >= sent, 2_000);
    await paced(phases.measureMs, true);
    await settle(() => first >= sent, 2_000);
    recording = false;
    const latency = histogram.summary();
    const lost = recordedSent * phases.subscribers - latency.count;

    // Throughput: at most `window` events not yet delivered to the first subscriber.
    const base = { sent, received, first };
    let stopped = false;
    const topUp = () => {
      while (!stopped && sent - first < phases.window) {
        void publish();
        sent++;
      }
    };
    const firstSubscriber = subscribers[0] as BenchClient;
    const onEvent = firstSubscriber.onEvent;
    firstSubscriber.onEvent = (data) => {
      onEvent(data);
      topUp();
    };
    const start = performance.now();
    topUp();
    await delay(phases.measureMs);
    const seconds = (performance.now() - start) / 1000;
    const eventsPerSecond = (first - base.first) / seconds;
    const deliveriesPerSecond = (received - base.received) / seconds;
    stopped = true;
    await settle(() => first >= sent, 2_000);
    return { setup, latency, lost, eventsPerSecond, deliveriesPerSecond } satisfies Row;
  } finally {
    for (const publisher of publishers) publisher.close();
    for (const subscriber of subscribers) subscriber.close();
  }
}

/** Cross-node delivery latency and throughput, against a single node. */
export async function crossNode(options: ScenarioOptions): Promise<ScenarioResult> {
  const phases: Phases = {
    subscribers: options.smoke ? 5 : 20,
    publishers: 4,
    perSecond: options.smoke ? 200 : 1_000,
    window: options.window ?? 64,
    warmupMs: options.smoke ? 300 : 1_000,
    measureMs: options.smoke ? 500 : (options.measureMs ?? 5_000),
  };
  options.log(
    `cross-node: ${phases.subscribers} subscribers, ${phases.perSecond} events/s, window ${phases.window}`,
  );
  const notes = ["--targets does not apply: this scenario compares broker setups of Switchyard"];
  const failures: string[] = [];
  const rows: Row[] = [];
  const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const redis = await startRedis();
  try {
    if (redis === undefined) {
      notes.push("skipped: redis-server is not installed");
    } else {
      const setups = [
        { setup: "1 node, memory broker", redis: false, nodes: 1 },
        { setup: "1 node, Redis broker", redis: true, nodes: 1 },
        { setup: "2 nodes, Redis: publisher on A, subscribers on B", redis: true, nodes: 2 },
      ];
      for (const [index, entry] of setups.entries()) {
        const config = join(directory, `node-${index}.json`);
        writeFileSync(
          config,
          JSON.stringify({
            apiKey: "bench",
            allowAnonymous: true,
            logLevel: "info",
            defaultNamespace: {
              subscribe: "anyone",
              publish: "anyone",
              history: { size: 1000, ttl: 120_000 },
            },
            limits: { rate: 1_000_000, burst: 1_000_000, queueBytes: 16_777_216 },
            ...(entry.redis ? { redis: { url: redis.url, prefix: `bench-${index}` } } : {}),
          }),
        );
        const started = performance.now();
        const nodes: ChildProcess[] = [];
        try {
          const urls: string[] = [];
          for (let n = 0; n < entry.nodes; n++) {
            const node = await startNode(config);
            nodes.push(node.child);
            urls.push(node.wsUrl);
          }
          const pubUrl = urls[0] as string;
          const subUrl = urls[urls.length - 1] as string;
          rows.push(await measure(entry.setup, pubUrl, subUrl, phases));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures.push(`${entry.setup}: ${message}`);
        } finally {
          await Promise.all(nodes.map(stop));
        }
        options.log(
          `  ${entry.setup} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    if (redis !== undefined) await stop(redis.child);
    rmSync(directory, { recursive: true, force: true });
  }
  const table = markdownTable(
    ["setup", "p50 ms", "p99 ms", "max ms", "lost", "throughput events/s", "deliveries/s"],
    rows.map((row) => [
      row.setup,
      ms(row.latency.p50),
      ms(row.latency.p99),
      ms(row.latency.max),
      fmt(row.lost),
      fmt(row.eventsPerSecond),
      fmt(row.deliveriesPerSecond),
    ]),
  );
  return {
    scenario: "cross-node",
    markdown: [
      `### Cross-node delivery (${phases.publishers} publishers, ${phases.subscribers} subscribers; latency at ${phases.perSecond} events/s ` +
        `for ${phases.measureMs / 1000} s; throughput with ${phases.window} events in flight)`,
      "",
      table,
      "",
      "- Latency: publish (WebSocket) to delivery, timed in one process. Throughput: events/s " +
        "reaching a subscriber with a bounded window; deliveries/s over all subscribers.",
    ].join("\n"),
    params: phases,
    rows,
    failures,
    notes,
  };
}
