/**
 * The hub's system-status event: every few seconds (5 s by default) it publishes the machine's
 * CPU load and memory, how many analyses wait and how many run, as `status` on
 * `system:status`. The `system` namespace's snapshot is the latest status, so a client that
 * subscribes sees it at once instead of waiting for the next tick.
 */
import { cpus, freemem, loadavg, totalmem } from "node:os";
import type { Hub, NamespaceOptions } from "@switchyard/server";

/** The channel the status goes out on. */
export const STATUS_CHANNEL = "system:status";

/** The data of each `status` event. */
export interface SystemStatus {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  cpu: {
    /** The 1-minute load average (0 on Windows). */
    load1: number;
    cores: number;
    /** CPU time this hub process used since the last status, in % of one core. */
    process: number;
  };
  memory: {
    /** Resident memory of the hub process, in MiB. */
    rssMiB: number;
    /** Memory in use on the machine, in %. */
    systemUsed: number;
  };
  /** Analyses waiting for a worker slot. */
  queueLength: number;
  /** Analyses running now. */
  activeJobs: number;
}

/** The figures the status needs from the analysis queue. */
export interface JobCounts {
  queueLength: number;
  activeJobs: number;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Publishes the system status on an interval; `latest` is the last one published. */
export class SystemStatusPublisher {
  latest: SystemStatus | undefined;
  readonly #counts: () => JobCounts;
  readonly #interval: number;
  #hub: Hub | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cpu = process.cpuUsage();
  #at = performance.now();

  /** `counts` reads the analysis queue; `interval` is in milliseconds. */
  constructor(counts: () => JobCounts, interval: number) {
    this.#counts = counts;
    this.#interval = interval;
  }

  /** The `system` namespace: anyone may watch, nobody publishes but the hub, latest wins. */
  namespace(): NamespaceOptions {
    return {
      subscribe: "anyone",
      publish: "nobody",
      history: { size: 10 },
      conflate: true,
      snapshot: () => this.latest,
    };
  }

  /** Publishes one status on `hub` now and then every interval. */
  start(hub: Hub): void {
    this.#hub = hub;
    void this.publish();
    this.#timer = setInterval(() => void this.publish(), this.#interval);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Measures and publishes one status. */
  async publish(): Promise<SystemStatus> {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    const elapsedMicros = Math.max(1, (now - this.#at) * 1000);
    this.#cpu = process.cpuUsage();
    this.#at = now;
    const status: SystemStatus = {
      timestamp: Date.now(),
      cpu: {
        load1: round(loadavg()[0] ?? 0, 2),
        cores: cpus().length,
        process: round(((cpu.user + cpu.system) / elapsedMicros) * 100),
      },
      memory: {
        rssMiB: round(process.memoryUsage.rss() / 1_048_576),
        systemUsed: round((1 - freemem() / totalmem()) * 100),
      },
      ...this.#counts(),
    };
    this.latest = status;
    try {
      await this.#hub?.publish(STATUS_CHANNEL, "status", status);
    } catch {
      // The hub is closing; the next tick (if any) tries again.
    }
    return status;
  }
}
