import { closedLoop, type LoadResult } from "../harness.js";
import { fmt, markdownTable, ms } from "../report.js";
import { TARGETS } from "../targets.js";
import {
  forEachTarget,
  ratio,
  requireAll,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.js";

interface FanOutRow extends LoadResult {
  target: string;
  subscribers: number;
}

/**
 * Fan-out: N subscribers on one channel, ~200-byte events, closed loop with a bounded window
 * of events in flight. The fair figure is server CPU per delivery: on two cores the load
 * generator usually saturates before the server does.
 */
export async function fanOut(options: ScenarioOptions): Promise<ScenarioResult> {
  const sizes = options.smoke ? [200] : [1000, 5000];
  const windowEvents = options.window ?? 8;
  const warmupMs = options.smoke ? 200 : 2000;
  const measureMs = options.smoke ? 500 : (options.measureMs ?? 8000);
  const rows: FanOutRow[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  for (const subscribers of sizes) {
    options.log(`fan-out: ${subscribers} subscribers`);
    const outcome = await forEachTarget(options, 1, async (run) => {
      const opened = await run.open({
        clients: subscribers,
        channels: ["fan"],
        timeoutMs: 120_000,
      });
      requireAll(opened, subscribers);
      return closedLoop(run, {
        command: (seq, count) => ({ op: "publish", channel: "fan", count, seq }),
        deliveriesPerEvent: subscribers,
        windowEvents,
        maxPerCommand: windowEvents,
        warmupMs,
        measureMs,
        drainMs: 3000,
        profileName: `fan-out-${subscribers}`,
      });
    });
    failures.push(...outcome.failures);
    if (subscribers === sizes[0]) notes.push(...outcome.notes);
    for (const [name, result] of outcome.results) {
      rows.push({ target: name, subscribers, ...result });
    }
  }
  const label = (name: string) => TARGETS.find((target) => target.name === name)?.label ?? name;
  const table = markdownTable(
    [
      "target",
      "subs",
      "deliveries/s",
      "server µs/delivery",
      "server core",
      "client core",
      "other load",
      "p50 ms",
      "p99 ms",
      "max ms",
      "lost",
      "events/msg",
    ],
    rows.map((row) => [
      label(row.target),
      fmt(row.subscribers),
      fmt(row.deliveriesPerSecond),
      fmt(row.serverCpuMicrosPerDelivery),
      `${fmt(row.serverCorePercent, 2)}%`,
      `${fmt(row.clientCorePercent, 2)}%`,
      `${fmt(Math.max(0, row.otherCorePercent), 2)}%`,
      ms(row.latency.p50),
      ms(row.latency.p99),
      ms(row.latency.max),
      fmt(row.lost),
      fmt(row.eventsPerMessage),
    ]),
  );
  const ratios: string[] = [];
  for (const subscribers of sizes) {
    const cpu = (name: string) =>
      rows.find((row) => row.target === name && row.subscribers === subscribers)
        ?.serverCpuMicrosPerDelivery;
    ratios.push(
      `- ${fmt(subscribers)} subscribers, server CPU per delivery vs ws: ` +
        `Switchyard JSON ${ratio(cpu("switchyard-json"), cpu("ws"))}, ` +
        `MessagePack ${ratio(cpu("switchyard-msgpack"), cpu("ws"))}, ` +
        `Socket.IO ${ratio(cpu("socketio"), cpu("ws"))}, Bun ${ratio(cpu("bun"), cpu("ws"))} ` +
        "(issue target for Switchyard: ≤ 0.50×)",
    );
  }
  const anomalies = rows
    .filter((row) => row.reordered > 0 || row.dropped > 0 || row.stalls > 0)
    .map(
      (row) =>
        `${label(row.target)} (${row.subscribers}): ${row.reordered} reordered, ` +
        `${row.dropped} dropped sockets, ${row.stalls} stalls${row.firstError ? `, ${row.firstError}` : ""}`,
    );
  notes.push(...anomalies);
  return {
    scenario: "fan-out",
    markdown: [
      `### Fan-out (one channel, closed loop, window ${windowEvents} events, ${measureMs / 1000} s measured)`,
      "",
      table,
      "",
      ...ratios,
    ].join("\n"),
    params: { sizes, windowEvents, warmupMs, measureMs, eventDataBytes: 200 },
    rows,
    failures,
    notes,
  };
}
