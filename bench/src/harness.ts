import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { delay } from "./clock.js";
import type { ControlCommand } from "./control.js";
import { Histogram, type LatencySummary } from "./histogram.js";
import { Loadgen, machineBusyMicros, ServerProcess } from "./processes.js";
import type { Target } from "./targets.js";

/** Who connects: `clients` clients, each subscribed to `channels` (`{i}`: its index). */
export interface OpenSpec {
  clients: number;
  channels: string[];
  /** Source addresses used in turn. @default ["127.0.0.1"] */
  localAddresses?: string[];
  /** Connections being opened at once, per load generator. @default 128 */
  concurrency?: number;
  timeoutMs: number;
}

export interface OpenResult {
  ready: number;
  failed: number;
  /** Connections (handshake and subscriptions done) per second. */
  perSecond: number;
  firstError?: string;
}

/** Figures of one measured phase of load. */
export interface LoadResult {
  events: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  /** Server CPU time (user + system, all threads) per delivery. */
  serverCpuMicrosPerDelivery: number;
  /** Share of one core the server used (100 = saturated). */
  serverCorePercent: number;
  /** Share of one core the load generators and coordinator used together. */
  clientCorePercent: number;
  /**
   * Share of one core used by everything else on the machine during the phase (other
   * people's processes, kernel threads): the noise of this figure.
   */
  otherCorePercent: number;
  latency: LatencySummary;
  /** Deliveries published and never received (after a drain). */
  lost: number;
  reordered: number;
  /** Client sockets the server closed during the run. */
  dropped: number;
  wireBytesPerDelivery: number;
  /** Events per WebSocket message received (above 1 when the server batches). */
  eventsPerMessage: number;
  /** Times the closed loop saw no progress for 5 s and moved on. */
  stalls: number;
  firstError?: string;
}

interface Snapshot {
  at: number;
  serverCpu: number;
  clientCpu: number;
  machineCpu: number;
  received: number;
}

/** One target's server process and its load generators, for the length of one measurement. */
export class TargetRun {
  /** Sequence number of the next event: unique over all phases of this run. */
  nextSeq = 0;
  private progressListener: () => void = () => {};

  private constructor(
    readonly target: Target,
    readonly server: ServerProcess,
    private readonly loadgens: Loadgen[],
    private readonly profileDir: string | undefined,
  ) {}

  static async start(
    target: Target,
    options: { loadgens: number; profileDir?: string },
  ): Promise<TargetRun> {
    const server = await ServerProcess.start(target);
    const loadgens: Loadgen[] = [];
    const run: TargetRun = new TargetRun(target, server, loadgens, options.profileDir);
    for (let i = 0; i < options.loadgens; i++) {
      loadgens.push(Loadgen.start(() => run.progressListener()));
    }
    return run;
  }

  /** Opens clients spread evenly over the load generators. */
  async open(spec: OpenSpec): Promise<OpenResult> {
    const started = performance.now();
    const share = Math.ceil(spec.clients / this.loadgens.length);
    const replies = await Promise.all(
      this.loadgens.map((loadgen, index) => {
        const firstIndex = index * share;
        const count = Math.max(0, Math.min(share, spec.clients - firstIndex));
        return loadgen.open(
          {
            type: "open",
            dialect: this.target.dialect,
            port: this.server.port,
            count,
            firstIndex,
            channels: spec.channels,
            localAddresses: spec.localAddresses ?? ["127.0.0.1"],
            concurrency: spec.concurrency ?? 128,
          },
          spec.timeoutMs,
        );
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ready = replies.reduce((sum, reply) => sum + reply.ready, 0);
    return {
      ready,
      failed: replies.reduce((sum, reply) => sum + reply.failed, 0),
      perSecond: ready / seconds,
      firstError: replies.find((reply) => reply.firstError)?.firstError,
    };
  }

  received(): number {
    let sum = 0;
    for (const loadgen of this.loadgens) sum += loadgen.received;
    return sum;
  }

  snapshot(): Snapshot {
    const own = process.cpuUsage();
    let clientCpu = own.user + own.system;
    for (const loadgen of this.loadgens) clientCpu += loadgen.cpuMicros();
    return {
      at: performance.now(),
      serverCpu: this.server.cpuMicros(),
      clientCpu,
      machineCpu: machineBusyMicros(),
      received: this.received(),
    };
  }

  /** Starts the server's CPU profiler when profiles were asked for. */
  async startProfile(): Promise<void> {
    if (this.profileDir) await this.server.control.startProfile();
  }

  /** Writes the profile of the phase since `startProfile` as `<target>-<name>.cpuprofile`. */
  async stopProfile(name: string): Promise<void> {
    if (!this.profileDir || this.target.runtime !== "node") return;
    mkdirSync(this.profileDir, { recursive: true });
    const path = join(this.profileDir, `${this.target.name}-${name}.cpuprofile`);
    await this.server.control.stopProfile(path);
  }

  onProgress(listener: () => void): void {
    this.progressListener = listener;
  }

  resetLatency(): void {
    for (const loadgen of this.loadgens) loadgen.resetLatency();
  }

  /** Waits until `expected` deliveries arrived or `ms` passed. */
  async drain(expected: number, ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.received() < expected && performance.now() < deadline) await delay(20);
  }

  /** Merged reports of every load generator. */
  async reports() {
    const reports = await Promise.all(this.loadgens.map((loadgen) => loadgen.report()));
    const latency = new Histogram();
    for (const report of reports) latency.add(report.latency);
    return {
      received: reports.reduce((sum, report) => sum + report.received, 0),
      bytes: reports.reduce((sum, report) => sum + report.bytes, 0),
      messages: reports.reduce((sum, report) => sum + report.messages, 0),
      reordered: reports.reduce((sum, report) => sum + report.reordered, 0),
      dropped: reports.reduce((sum, report) => sum + report.dropped, 0),
      latency: latency.summary(),
      firstError: reports.find((report) => report.firstError)?.firstError,
    };
  }

  async stop(): Promise<void> {
    this.progressListener = () => {};
    await Promise.all(this.loadgens.map((loadgen) => loadgen.stop()));
    await this.server.stop();
  }
}

/** How a phase publishes. */
export interface PublishPlan {
  /** The control command publishing `count` events from sequence number `seq`. */
  command(seq: number, count: number): ControlCommand;
  /** Subscribers reached by each event. */
  deliveriesPerEvent: number;
  warmupMs: number;
  measureMs: number;
  /** Most time to wait for the last deliveries after publishing stopped. */
  drainMs: number;
  /** Name of the CPU profile of the measured phase (written only with `--profile`). */
  profileName: string;
}

async function finish(
  run: TargetRun,
  start: Snapshot,
  end: Snapshot,
  counts: { events: number; expectedTotal: number; stalls: number },
  drainMs: number,
): Promise<LoadResult> {
  await run.drain(counts.expectedTotal, drainMs);
  const report = await run.reports();
  const deliveries = end.received - start.received;
  const seconds = (end.at - start.at) / 1000;
  return {
    events: counts.events,
    deliveries,
    seconds,
    deliveriesPerSecond: deliveries / seconds,
    serverCpuMicrosPerDelivery: (end.serverCpu - start.serverCpu) / deliveries,
    serverCorePercent: ((end.serverCpu - start.serverCpu) / 1e6 / seconds) * 100,
    clientCorePercent: ((end.clientCpu - start.clientCpu) / 1e6 / seconds) * 100,
    otherCorePercent:
      ((end.machineCpu -
        start.machineCpu -
        (end.serverCpu - start.serverCpu) -
        (end.clientCpu - start.clientCpu)) /
        1e6 /
        seconds) *
      100,
    latency: report.latency,
    lost: Math.max(0, counts.expectedTotal - report.received),
    reordered: report.reordered,
    dropped: report.dropped,
    wireBytesPerDelivery: report.received > 0 ? report.bytes / report.received : 0,
    eventsPerMessage: report.messages > 0 ? report.received / report.messages : 0,
    stalls: counts.stalls,
    firstError: report.firstError,
  };
}

/**
 * Closed loop with a bounded window: at most `windowEvents` events are in flight (published
 * and not yet delivered to every subscriber, counted over all load generators); the next
 * command goes out as soon as deliveries make room. Warm-up, then one measured phase.
 */
export async function closedLoop(
  run: TargetRun,
  plan: PublishPlan & { windowEvents: number; maxPerCommand: number },
): Promise<LoadResult> {
  const window = plan.windowEvents * plan.deliveriesPerEvent;
  const firstSeq = run.nextSeq;
  let seq = firstSeq;
  let expected = run.received();
  let slack = 0;
  let stalls = 0;
  let publishing = true;
  const pump = () => {
    if (!publishing) return;
    const room = Math.floor(
      (window - (expected - slack - run.received())) / plan.deliveriesPerEvent,
    );
    if (room <= 0) return;
    const count = Math.min(room, plan.maxPerCommand);
    run.server.control.send(plan.command(seq, count));
    seq += count;
    expected += count * plan.deliveriesPerEvent;
  };
  run.onProgress(pump);
  // A window stuck on lost deliveries would stall the loop: after 5 s count it and move on.
  let lastReceived = run.received();
  let lastChange = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (run.received() !== lastReceived) {
      lastReceived = run.received();
      lastChange = now;
    } else if (now - lastChange > 5000 && publishing) {
      stalls++;
      slack = expected - run.received();
      lastChange = now;
      pump();
    }
  }, 100);
  pump();
  await delay(plan.warmupMs);
  await run.startProfile();
  run.resetLatency();
  const start = run.snapshot();
  await delay(plan.measureMs);
  const end = run.snapshot();
  publishing = false;
  await run.stopProfile(plan.profileName);
  clearInterval(watchdog);
  run.onProgress(() => {});
  run.nextSeq = seq;
  return finish(
    run,
    start,
    end,
    { events: seq - firstSeq, expectedTotal: expected, stalls },
    plan.drainMs,
  );
}

/** Open loop: `perSecond` events published at a steady pace, whatever the deliveries do. */
export async function openLoop(
  run: TargetRun,
  plan: PublishPlan & { perSecond: number },
): Promise<LoadResult> {
  const base = run.received();
  const firstSeq = run.nextSeq;
  let sent = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * plan.perSecond);
    if (due > sent) {
      run.server.control.send(plan.command(firstSeq + sent, due - sent));
      sent = due;
    }
  }, 1000 / plan.perSecond);
  await delay(plan.warmupMs);
  await run.startProfile();
  run.resetLatency();
  const start = run.snapshot();
  await delay(plan.measureMs);
  const end = run.snapshot();
  clearInterval(timer);
  await run.stopProfile(plan.profileName);
  run.nextSeq = firstSeq + sent;
  const expectedTotal = base + sent * plan.deliveriesPerEvent;
  return finish(run, start, end, { events: sent, expectedTotal, stalls: 0 }, plan.drainMs);
}
