import { delay } from "../clock.js";
import { closedLoop, type LoadResult } from "../harness.js";
import { fmt, markdownTable, ms } from "../report.js";
import { TARGETS, type TargetName } from "../targets.js";
import {
  forEachTarget,
  requireAll,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.js";

interface ManyChannelsResult {
  clients: number;
  /** Server RSS growth per client (two subscriptions each), after a GC. */
  rssBytesPerClient: number;
  own: LoadResult;
  shared: LoadResult;
}

/**
 * Many channels: every client on its own channel plus one shared channel. Phase "own"
 * publishes to the own channels in turn (one delivery per event: the per-event path);
 * phase "shared" publishes to the shared channel (fan-out to everyone).
 */
export async function manyChannels(options: ScenarioOptions): Promise<ScenarioResult> {
  const clients = options.smoke ? 200 : 10_000;
  const warmupMs = options.smoke ? 200 : 1000;
  const measureMs = options.smoke ? 300 : (options.measureMs ?? 5000);
  const windowEvents = options.window ?? 8;
  options.log(`many-channels: ${clients} clients`);
  const outcome = await forEachTarget(options, 1, async (run) => {
    await run.server.control.gc();
    const before = run.server.rssBytes();
    const opened = await run.open({ clients, channels: ["c:{i}", "shared"], timeoutMs: 180_000 });
    requireAll(opened, clients);
    await delay(300);
    await run.server.control.gc();
    const rssBytesPerClient = (run.server.rssBytes() - before) / clients;
    const own = await closedLoop(run, {
      command: (seq, count) => ({
        op: "publish",
        prefix: "c:",
        first: seq % clients,
        modulo: clients,
        count,
        seq,
      }),
      deliveriesPerEvent: 1,
      // One delivery per event: keep as many deliveries in flight as a fan-out window holds.
      windowEvents: Math.min(clients, 512),
      maxPerCommand: 128,
      warmupMs,
      measureMs,
      drainMs: 3000,
      profileName: "many-channels-own",
    });
    const shared = await closedLoop(run, {
      command: (seq, count) => ({ op: "publish", channel: "shared", count, seq }),
      deliveriesPerEvent: clients,
      windowEvents,
      maxPerCommand: windowEvents,
      warmupMs,
      measureMs,
      drainMs: 3000,
      profileName: "many-channels-shared",
    });
    return { clients, rssBytesPerClient, own, shared } satisfies ManyChannelsResult;
  });
  const label = (name: TargetName) => TARGETS.find((target) => target.name === name)?.label ?? name;
  const rows: (ManyChannelsResult & { target: TargetName })[] = [];
  for (const [name, result] of outcome.results) rows.push({ target: name, ...result });
  const table = markdownTable(
    [
      "target",
      "phase",
      "deliveries/s",
      "server µs/delivery",
      "server core",
      "client core",
      "other load",
      "p50 ms",
      "p99 ms",
      "lost",
      "server RSS/client",
    ],
    rows.flatMap((row) =>
      (["own", "shared"] as const).map((phase) => [
        label(row.target),
        phase === "own" ? "own channel (1 delivery/event)" : `shared (${fmt(clients)}/event)`,
        fmt(row[phase].deliveriesPerSecond),
        fmt(row[phase].serverCpuMicrosPerDelivery),
        `${fmt(row[phase].serverCorePercent, 2)}%`,
        `${fmt(row[phase].clientCorePercent, 2)}%`,
        `${fmt(Math.max(0, row[phase].otherCorePercent), 2)}%`,
        ms(row[phase].latency.p50),
        ms(row[phase].latency.p99),
        fmt(row[phase].lost),
        phase === "own" ? `${fmt(row.rssBytesPerClient / 1024)} KiB` : "",
      ]),
    ),
  );
  return {
    scenario: "many-channels",
    markdown: [
      `### Many channels (${fmt(clients)} clients, each on its own channel + one shared; ${measureMs / 1000} s per phase)`,
      "",
      table,
    ].join("\n"),
    params: { clients, warmupMs, measureMs, windowEvents },
    rows,
    failures: outcome.failures,
    notes: outcome.notes,
  };
}
