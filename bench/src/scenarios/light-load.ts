import { type LoadResult, openLoop } from "../harness.js";
import { fmt, markdownTable, ms } from "../report.js";
import {
  type Column,
  formatRoundRatios,
  medianCells,
  medians,
  roundRatios,
  roundsPhrase,
} from "../rounds.js";
import type { TargetName } from "../targets.js";
import { forEachRound, requireAll, type ScenarioOptions, type ScenarioResult } from "./scenario.js";

/** The figures of the table, each the median over the rounds. */
const COLUMNS: readonly Column<LoadResult>[] = [
  { key: "events", header: "events", value: (row) => row.events, format: (v) => fmt(v) },
  {
    key: "deliveries",
    header: "deliveries",
    value: (row) => row.latency.count,
    format: (v) => fmt(v),
  },
  { key: "p50Micros", header: "p50 ms", value: (row) => row.latency.p50, format: ms },
  { key: "p99Micros", header: "p99 ms", value: (row) => row.latency.p99, format: ms },
  { key: "maxMicros", header: "max ms", value: (row) => row.latency.max, format: ms },
  { key: "lost", header: "lost", value: (row) => row.lost, format: (v) => fmt(v) },
  {
    key: "serverCpuMicrosPerDelivery",
    header: "server µs/delivery",
    value: (row) => row.serverCpuMicrosPerDelivery,
    format: (v) => fmt(v),
  },
  {
    key: "otherCorePercent",
    header: "other load",
    value: (row) => Math.max(0, row.otherCorePercent),
    format: (v) => `${fmt(v, 2)}%`,
  },
];

/** Targets whose p99 is compared with the ws floor's, and how the ratio line names them. */
const VERSUS_WS: readonly [TargetName, string][] = [
  ["switchyard-json", "Switchyard JSON"],
  ["switchyard-msgpack", "MessagePack"],
  ["socketio", "Socket.IO"],
  ["bun", "Bun"],
];

/** Light load: 100 subscribers, 100 events/s at a steady pace (open loop): latency. */
export async function lightLoad(options: ScenarioOptions): Promise<ScenarioResult> {
  const subscribers = options.smoke ? 20 : 100;
  const perSecond = 100;
  const warmupMs = options.smoke ? 200 : 1000;
  const measureMs = options.smoke ? 500 : (options.measureMs ?? 10_000);
  const roundCount = options.rounds ?? 1;
  options.log(`light-load: ${subscribers} subscribers, ${perSecond} events/s`);
  const outcome = await forEachRound(options, 1, async (run) => {
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
  const rows: (LoadResult & { target: TargetName; round: number })[] = [];
  outcome.rounds.forEach((round, index) => {
    for (const [target, result] of round) rows.push({ target, round: index + 1, ...result });
  });
  const measured = options.targets.filter((target) =>
    outcome.rounds.some((round) => round.has(target.name)),
  );
  const perTarget = (name: TargetName) =>
    outcome.rounds.flatMap((round) => {
      const result = round.get(name);
      return result ? [result] : [];
    });
  const table = markdownTable(
    ["target", ...COLUMNS.map((column) => column.header)],
    measured.map((target) => [target.label, ...medianCells(COLUMNS, perTarget(target.name))]),
  );
  const p99 = (row: LoadResult) => row.latency.p99;
  const versus = (name: TargetName) =>
    formatRoundRatios(roundRatios(outcome.rounds, name, "ws", p99));
  // One round: today's single line. Several: a line per ratio, with every round's value.
  const ratioLines =
    roundCount > 1
      ? VERSUS_WS.filter(([name]) => measured.some((target) => target.name === name)).map(
          ([name, label]) =>
            `- p99 vs ws: ${label} ${versus(name)}` +
            (name.startsWith("switchyard") ? " (issue target: ≤ 1.00×)" : ""),
        )
      : [
          `- p99 vs ws: ${VERSUS_WS.map(([name, label]) => `${label} ${versus(name)}`).join(", ")} ` +
            "(issue target for Switchyard: ≤ 1.00×)",
        ];
  const phrase = roundsPhrase(roundCount);
  return {
    scenario: "light-load",
    markdown: [
      `### Light load (${subscribers} subscribers, ${perSecond} events/s, ${measureMs / 1000} s measured` +
        `${phrase ? `; ${phrase}` : ""})`,
      "",
      table,
      "",
      ...ratioLines,
    ].join("\n"),
    params: { subscribers, perSecond, warmupMs, measureMs, rounds: roundCount },
    rows,
    medians:
      roundCount > 1
        ? measured.map((target) => ({
            target: target.name,
            rounds: perTarget(target.name).length,
            ...medians(COLUMNS, perTarget(target.name)),
          }))
        : undefined,
    failures: outcome.failures,
    notes: outcome.notes,
  };
}
