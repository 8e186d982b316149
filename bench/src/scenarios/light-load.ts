import { type LoadResult, openLoop } from "../harness.js";
import { fmt, markdownTable, ms } from "../report.js";
import { TARGETS, type TargetName } from "../targets.js";
import {
  forEachTarget,
  ratio,
  requireAll,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.js";

/** Light load: 100 subscribers, 100 events/s at a steady pace (open loop): latency. */
export async function lightLoad(options: ScenarioOptions): Promise<ScenarioResult> {
  const subscribers = options.smoke ? 20 : 100;
  const perSecond = 100;
  const warmupMs = options.smoke ? 200 : 1000;
  const measureMs = options.smoke ? 500 : (options.measureMs ?? 10_000);
  options.log(`light-load: ${subscribers} subscribers, ${perSecond} events/s`);
  const outcome = await forEachTarget(options, 1, async (run) => {
    const opened = await run.open({ clients: subscribers, channels: ["light"], timeoutMs: 60_000 });
    requireAll(opened, subscribers);
    return openLoop(run, {
      command: (seq, count) => ({ op: "publish", channel: "light", count, seq }),
      deliveriesPerEvent: subscribers,
      perSecond,
      warmupMs,
      measureMs,
      drainMs: 2000,
      profileName: "light-load",
    });
  });
  const label = (name: TargetName) => TARGETS.find((target) => target.name === name)?.label ?? name;
  const rows: (LoadResult & { target: TargetName })[] = [];
  for (const [name, result] of outcome.results) rows.push({ target: name, ...result });
  const table = markdownTable(
    [
      "target",
      "events",
      "deliveries",
      "p50 ms",
      "p99 ms",
      "max ms",
      "lost",
      "server µs/delivery",
      "other load",
    ],
    rows.map((row) => [
      label(row.target),
      fmt(row.events),
      fmt(row.latency.count),
      ms(row.latency.p50),
      ms(row.latency.p99),
      ms(row.latency.max),
      fmt(row.lost),
      fmt(row.serverCpuMicrosPerDelivery),
      `${fmt(Math.max(0, row.otherCorePercent), 2)}%`,
    ]),
  );
  const p99 = (name: TargetName) => rows.find((row) => row.target === name)?.latency.p99;
  return {
    scenario: "light-load",
    markdown: [
      `### Light load (${subscribers} subscribers, ${perSecond} events/s, ${measureMs / 1000} s measured)`,
      "",
      table,
      "",
      `- p99 vs ws: Switchyard JSON ${ratio(p99("switchyard-json"), p99("ws"))}, ` +
        `MessagePack ${ratio(p99("switchyard-msgpack"), p99("ws"))}, ` +
        `Socket.IO ${ratio(p99("socketio"), p99("ws"))}, Bun ${ratio(p99("bun"), p99("ws"))} ` +
        "(issue target for Switchyard: ≤ 1.00×)",
    ].join("\n"),
    params: { subscribers, perSecond, warmupMs, measureMs },
    rows,
    failures: outcome.failures,
    notes: outcome.notes,
  };
}
