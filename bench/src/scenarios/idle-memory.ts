import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { delay } from "../clock.js";
import { openFileLimit } from "../processes.js";
import { fmt, markdownTable } from "../report.js";
import { TARGETS, type TargetName } from "../targets.js";
import {
  forEachTarget,
  ratio,
  requireAll,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.js";

/** File descriptors a server keeps for itself besides its client sockets. */
const SERVER_FD_RESERVE = 200;
/** Clients per load-generator process (each client socket is one descriptor there too). */
const CLIENTS_PER_LOADGEN = 9000;
/** Source addresses: 8 × the ephemeral port range is far more than any run opens. */
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

interface IdleRow {
  target: TargetName;
  requested: number;
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssBytesPerConnection: number;
  connectionsPerSecond: number;
}

/**
 * Idle memory: N connected clients, each subscribed to one channel, then nothing. Server RSS
 * growth per connection (after a GC on both sides of the ramp) and the connection rate.
 */
export async function idleMemory(options: ScenarioOptions): Promise<ScenarioResult> {
  const limit = openFileLimit() - SERVER_FD_RESERVE;
  const requested = options.smoke ? [300] : [10_000, 50_000];
  const notes: string[] = [];
  const failures: string[] = [];
  const rows: IdleRow[] = [];
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
    const outcome = await forEachTarget(options, loadgens, async (run) => {
      await delay(200);
      await run.server.control.gc();
      await delay(300);
      const before = run.server.rssBytes();
      const heapPath = (when: string) =>
        options.profileDir
          ? join(options.profileDir, `${run.target.name}-idle-${clients}-${when}.heapsnapshot`)
          : "";
      if (options.profileDir && run.target.runtime === "node") {
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
      if (options.profileDir && run.target.runtime === "node") {
        await run.server.control.heapSnapshot(heapPath("after"));
      }
      return {
        connections: opened.ready,
        rssBeforeBytes: before,
        rssAfterBytes: after,
        rssBytesPerConnection: (after - before) / opened.ready,
        connectionsPerSecond: opened.perSecond,
      };
    });
    failures.push(...outcome.failures);
    if (want === requested[0]) notes.push(...outcome.notes);
    for (const [target, result] of outcome.results)
      rows.push({ target, requested: want, ...result });
  }
  const label = (name: TargetName) => TARGETS.find((target) => target.name === name)?.label ?? name;
  const table = markdownTable(
    ["target", "connections", "RSS before", "RSS after", "RSS/connection", "connections/s"],
    rows.map((row) => [
      label(row.target),
      fmt(row.connections),
      `${fmt(row.rssBeforeBytes / 2 ** 20)} MiB`,
      `${fmt(row.rssAfterBytes / 2 ** 20)} MiB`,
      `${fmt(row.rssBytesPerConnection / 1024)} KiB`,
      fmt(row.connectionsPerSecond),
    ]),
  );
  const ratios = [...new Set(rows.map((row) => row.connections))].map((connections) => {
    const per = (name: TargetName) =>
      rows.find((row) => row.target === name && row.connections === connections)
        ?.rssBytesPerConnection;
    return (
      `- ${fmt(connections)} connections, RSS per connection: Switchyard JSON / ws ` +
      `${ratio(per("switchyard-json"), per("ws"))} (target ≤ 1.00×, and ≤ 7 KiB), ` +
      `Switchyard JSON / Socket.IO ${ratio(per("switchyard-json"), per("socketio"))} (target < 0.50×), ` +
      `Bun / ws ${ratio(per("bun"), per("ws"))}`
    );
  });
  return {
    scenario: "idle-memory",
    markdown: [
      "### Idle memory (each client connected and subscribed to one channel; GC before each reading)",
      "",
      table,
      "",
      ...ratios,
    ].join("\n"),
    params: { requested, localAddresses: LOCAL_ADDRESSES, clientsPerLoadgen: CLIENTS_PER_LOADGEN },
    rows,
    failures,
    notes,
  };
}
