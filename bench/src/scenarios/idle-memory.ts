import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { delay } from "../clock.js";
import type { MemoryUsage } from "../control.js";
import { openFileLimit } from "../processes.js";
import { fmt, markdownTable } from "../report.js";
import {
  type Column,
  formatRoundRatios,
  medianCells,
  medians,
  type RoundRatios,
  roundRatios,
  roundsPhrase,
} from "../rounds.js";
import type { TargetName } from "../targets.js";
import { forEachRound, requireAll, type ScenarioOptions, type ScenarioResult } from "./scenario.js";

/** File descriptors a server keeps for itself besides its client sockets. */
const SERVER_FD_RESERVE = 200;
/** Clients per load-generator process (each client socket is one descriptor there too). */
const CLIENTS_PER_LOADGEN = 9000;
/** Source addresses: 8 × the ephemeral port range is far more than any run opens. */
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/** One target's figures at one size in one round. */
interface IdleFigures {
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssBytesPerConnection: number;
  /** Growth of the JS heap's live objects per connection (see `jsHeapBytes`). */
  heapBytesPerConnection: number;
  /** Growth of `external` (Buffer and ArrayBuffer stores, native memory reported to the GC). */
  externalBytesPerConnection: number;
  connectionsPerSecond: number;
  /** The server's own `process.memoryUsage()` after the GC before and after the ramp. */
  memoryBefore: MemoryUsage;
  memoryAfter: MemoryUsage;
}

interface IdleRow extends IdleFigures {
  target: TargetName;
  round: number;
  requested: number;
}

/**
 * The live JS objects of a heap reading. Bun's `heapUsed` is JavaScriptCore's heap size,
 * which already counts `external` (its "extra memory"); subtracting it leaves the objects, the
 * figure V8's `heapUsed` gives on Node.
 */
function jsHeapBytes(runtime: "node" | "bun", memory: MemoryUsage): number {
  return runtime === "bun" ? memory.heapUsed - memory.external : memory.heapUsed;
}

/** Marks Bun's heap cells: a different engine's heap, without uWebSockets' native sockets. */
const BUN_MARK = "†";

const kib = (bytes: number | undefined) => (bytes === undefined ? "–" : `${fmt(bytes / 1024)} KiB`);
const mib = (bytes: number | undefined) =>
  bytes === undefined ? "–" : `${fmt(bytes / 2 ** 20)} MiB`;

/** The figures of the table, each the median over the rounds. */
const COLUMNS: readonly Column<IdleFigures>[] = [
  { key: "connections", header: "connections", value: (r) => r.connections, format: (v) => fmt(v) },
  { key: "rssBeforeBytes", header: "RSS before", value: (r) => r.rssBeforeBytes, format: mib },
  { key: "rssAfterBytes", header: "RSS after", value: (r) => r.rssAfterBytes, format: mib },
  {
    key: "rssBytesPerConnection",
    header: "RSS/connection",
    value: (r) => r.rssBytesPerConnection,
    format: kib,
  },
  {
    key: "heapBytesPerConnection",
    header: "heap/connection",
    value: (r) => r.heapBytesPerConnection,
    format: kib,
  },
  {
    key: "externalBytesPerConnection",
    header: "external/connection",
    value: (r) => r.externalBytesPerConnection,
    format: kib,
  },
  {
    key: "connectionsPerSecond",
    header: "connections/s",
    value: (r) => r.connectionsPerSecond,
    format: (v) => fmt(v),
  },
];
const HEAP_COLUMNS = new Set(["heapBytesPerConnection", "externalBytesPerConnection"]);

/** The connection counts to measure: `--connections`, or the scenario's sizes. */
function sizes(options: ScenarioOptions): number[] {
  if (options.connections && options.connections.length > 0) return options.connections;
  return options.smoke ? [300] : [10_000, 50_000];
}

/**
 * Idle memory: N connected clients, each subscribed to one channel, then nothing. Server RSS
 * and JS heap growth per connection (after a GC on both sides of the ramp) and the connection
 * rate.
 */
export async function idleMemory(options: ScenarioOptions): Promise<ScenarioResult> {
  const limit = openFileLimit() - SERVER_FD_RESERVE;
  const requested = sizes(options);
  const roundCount = options.rounds ?? 1;
  const notes: string[] = [];
  const failures: string[] = [];
  const rows: IdleRow[] = [];
  const tableRows: string[][] = [];
  const ratioLines: string[] = [];
  const medianRows: object[] = [];
  for (const want of requested) {
    const clients = Math.min(want, limit);
    if (clients < want) {
      notes.push(
        `${fmt(want)} connections asked, ${fmt(clients)} measured: the open-file hard limit here is ` +
          `${fmt(limit + SERVER_FD_RESERVE)} per process and cannot be raised without CAP_SYS_RESOURCE`,
      );
    }
    const loadgens = Math.ceil(clients / CLIENTS_PER_LOADGEN);
    options.log(`idle-memory: ${clients} connections (${loadgens} load generators)`);
    const outcome = await forEachRound(options, loadgens, async (run): Promise<IdleFigures> => {
      const runtime = run.target.runtime;
      await delay(200);
      await run.server.control.gc();
      await delay(300);
      const before = run.server.rssBytes();
      const memoryBefore = await run.server.control.memory();
      const heapPath = (when: string) =>
        options.profileDir
          ? join(options.profileDir, `${run.target.name}-idle-${clients}-${when}.heapsnapshot`)
          : "";
      if (options.profileDir && runtime === "node") {
        mkdirSync(options.profileDir, { recursive: true });
        await run.server.control.heapSnapshot(heapPath("before"));
      }
      const opened = await run.open({
        clients,
        channels: ["idle"],
        localAddresses: LOCAL_ADDRESSES,
        concurrency: 64,
        timeoutMs: 300_000,
      });
      requireAll(opened, clients);
      await delay(options.smoke ? 100 : 1000);
      await run.server.control.gc();
      await delay(500);
      const after = run.server.rssBytes();
      const memoryAfter = await run.server.control.memory();
      if (options.profileDir && runtime === "node") {
        await run.server.control.heapSnapshot(heapPath("after"));
      }
      return {
        connections: opened.ready,
        rssBeforeBytes: before,
        rssAfterBytes: after,
        rssBytesPerConnection: (after - before) / opened.ready,
        heapBytesPerConnection:
          (jsHeapBytes(runtime, memoryAfter) - jsHeapBytes(runtime, memoryBefore)) / opened.ready,
        externalBytesPerConnection: (memoryAfter.external - memoryBefore.external) / opened.ready,
        connectionsPerSecond: opened.perSecond,
        memoryBefore,
        memoryAfter,
      };
    });
    failures.push(...outcome.failures);
    if (want === requested[0]) notes.push(...outcome.notes);
    outcome.rounds.forEach((round, index) => {
      for (const [target, figures] of round) {
        rows.push({ target, round: index + 1, requested: want, ...figures });
      }
    });
    for (const target of options.targets) {
      const perRound = outcome.rounds.flatMap((round) => {
        const figures = round.get(target.name);
        return figures ? [figures] : [];
      });
      if (perRound.length === 0) continue;
      const cells = medianCells(COLUMNS, perRound);
      const marked = COLUMNS.map((column, index) => {
        const cell = cells[index] ?? "–";
        return target.runtime === "bun" && HEAP_COLUMNS.has(column.key) ? cell + BUN_MARK : cell;
      });
      tableRows.push([target.label, ...marked]);
      medianRows.push({
        target: target.name,
        requested: want,
        rounds: perRound.length,
        ...medians(COLUMNS, perRound),
      });
    }
    ratioLines.push(...ratioLinesFor(outcome.rounds, clients, roundCount));
  }
  const table = markdownTable(["target", ...COLUMNS.map((column) => column.header)], tableRows);
  const measuredBun = rows.some((row) => row.target === "bun");
  const phrase = roundsPhrase(roundCount);
  return {
    scenario: "idle-memory",
    markdown: [
      "### Idle memory (each client connected and subscribed to one channel; GC before each reading" +
        `${phrase ? `; ${phrase}` : ""})`,
      "",
      table,
      "",
      ...ratioLines,
      ...(measuredBun
        ? [
            `- ${BUN_MARK} Bun: JavaScriptCore's heap (\`heapUsed\` − \`external\`) and its "extra ` +
              "memory\"; uWebSockets' per-socket state is native and shows in RSS only",
          ]
        : []),
    ].join("\n"),
    params: {
      requested,
      rounds: roundCount,
      localAddresses: LOCAL_ADDRESSES,
      clientsPerLoadgen: CLIENTS_PER_LOADGEN,
    },
    rows,
    medians: roundCount > 1 ? medianRows : undefined,
    failures,
    notes,
  };
}

/** Target names in ratio lines. */
const SHORT: Record<TargetName, string> = {
  "switchyard-json": "Switchyard JSON",
  "switchyard-msgpack": "Switchyard MessagePack",
  ws: "ws",
  socketio: "Socket.IO",
  bun: "Bun",
};

/** The ratio lines of one size: RSS (the issue's figure) and JS heap per connection. */
function ratioLinesFor(
  rounds: readonly ReadonlyMap<TargetName, IdleFigures>[],
  connections: number,
  roundCount: number,
): string[] {
  const rss = (a: TargetName, b: TargetName) =>
    roundRatios(rounds, a, b, (figures) => figures.rssBytesPerConnection);
  const heap = (a: TargetName, b: TargetName) =>
    roundRatios(rounds, a, b, (figures) => figures.heapBytesPerConnection);
  const size = `${fmt(connections)} connections`;
  const measured = (name: TargetName) => rounds.some((round) => round.has(name));
  const ratios: { what: string; a: TargetName; b: TargetName; of: RoundRatios; goal?: string }[] = [
    {
      what: "RSS",
      a: "switchyard-json",
      b: "ws",
      of: rss("switchyard-json", "ws"),
      goal: "target ≤ 1.00×, and ≤ 7 KiB",
    },
    {
      what: "RSS",
      a: "switchyard-json",
      b: "socketio",
      of: rss("switchyard-json", "socketio"),
      goal: "target < 0.50×",
    },
    { what: "RSS", a: "bun", b: "ws", of: rss("bun", "ws") },
    { what: "heap", a: "switchyard-json", b: "ws", of: heap("switchyard-json", "ws") },
    { what: "heap", a: "switchyard-json", b: "socketio", of: heap("switchyard-json", "socketio") },
  ];
  const pair = (ratio: (typeof ratios)[number]) => `${SHORT[ratio.a]} / ${SHORT[ratio.b]}`;
  if (roundCount > 1) {
    // One line per ratio, with every round's value, for the pairs this run measured.
    return ratios
      .filter((ratio) => measured(ratio.a) && measured(ratio.b))
      .map(
        (ratio) =>
          `- ${size}, ${ratio.what} per connection, ${pair(ratio)}: ${formatRoundRatios(ratio.of)}` +
          (ratio.goal ? ` (${ratio.goal})` : ""),
      );
  }
  // One round: the RSS line as before, and the heap ratios on a line of their own.
  const line = (what: string) =>
    `- ${size}, ${what} per connection: ` +
    ratios
      .filter((ratio) => ratio.what === what)
      .map(
        (ratio) =>
          `${pair(ratio)} ${formatRoundRatios(ratio.of)}${ratio.goal ? ` (${ratio.goal})` : ""}`,
      )
      .join(", ");
  return [line("RSS"), line("heap")];
}
