/**
 * The terminal client: starts an analysis over RPC with `@switchyard/client`, follows its job
 * with a live progress bar (cli-progress) showing the step, the hub's ETA and the system
 * status, prints each step's summary as its chunk arrives and any request for review, then
 * the objects table. Aborting `signal` (Ctrl-C) cancels the job.
 */
import { Console } from "node:console";
import type { Writable } from "node:stream";
import { createClient, type Job, type JobState } from "@switchyard/client";
import cliProgress from "cli-progress";
import type { AnalysisResult } from "./analysis.js";
import type { AnalysisStartInput } from "./schemas.js";
import type { AnalysisStartReply } from "./server.js";
import { STATUS_CHANNEL, type SystemStatus } from "./system-status.js";

/** Options of {@link runTerminalClient}. */
export interface TerminalClientOptions {
  /** The hub's WebSocket URL. */
  url: string;
  /** The analysis parameters (defaults for the rest). */
  input?: AnalysisStartInput;
  /** Where the bar and the summary go. */
  output: Writable;
  /** Aborting it cancels the job. */
  signal?: AbortSignal;
  /**
   * `auto` draws the bar on a terminal and prints one line per step elsewhere (logs, CI);
   * `always` draws it anyway.
   * @default "auto"
   */
  bar?: "auto" | "always";
  /** Called with every new state of the job. */
  onUpdate?: (state: JobState) => void;
}

/** What the client saw. */
export interface TerminalClientRun {
  jobId: string;
  parameters: AnalysisStartReply["parameters"];
  /** The job's final state. */
  state: JobState;
  /** Every (percent, step) the client saw, in order. */
  updates: { percent: number; step: string | null }[];
  /** The last system status received, if any. */
  systemStatus: SystemStatus | undefined;
}

/** Seconds as `m:ss`. */
function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** The time left by the hub's estimate (its clock, so a skewed one shifts it a little). */
function remaining(state: JobState): string {
  if (state.etaAt === null) return "--:--";
  return clock((state.etaAt - Date.now()) / 1000);
}

function statusText(status: SystemStatus | undefined): string {
  if (!status) return "";
  return ` | cpu ${status.cpu.process}% load ${status.cpu.load1} | queue ${status.queueLength} active ${status.activeJobs}`;
}

/** A one-line summary of a step's chunk. */
function chunkLine(data: unknown): string {
  const { step, ...rest } = data as { step: string } & Record<string, unknown>;
  const figures = Object.entries(rest).map(([key, value]) => `${key} ${value}`);
  return `✓ ${step}: ${figures.join(", ")}`;
}

/** Prints the final summary and the objects table. */
function printSummary(output: Writable, state: JobState, jobId: string): void {
  const console = new Console({ stdout: output, stderr: output });
  if (state.status === "cancelled") {
    console.log(`Analysis ${jobId} cancelled at ${state.percent}% (${state.step ?? "no step"}).`);
    return;
  }
  if (state.status === "failed") {
    console.log(`Analysis ${jobId} failed: ${state.error?.message ?? "unknown error"}`);
    return;
  }
  const result = state.result as AnalysisResult;
  console.log(
    `Analysis ${jobId} completed in ${(result.durationMs / 1000).toFixed(1)} s: ` +
      `${result.objects.length} objects (${result.blobsPlanted} blobs planted), ${result.specks} specks`,
  );
  console.log(
    `threshold ${result.threshold} | contrast-to-noise ${result.contrastToNoise} | ` +
      `confidence ${result.confidence.toFixed(2)}`,
  );
  if (state.validation) {
    console.log(`! Review needed: ${state.validation.reason}`);
    for (const action of state.validation.suggestedActions) console.log(`  - ${action}`);
  }
  const rows = result.objects.map((object) => {
    const { min, max } = object.bounds;
    return [
      String(object.id),
      String(object.voxels),
      object.volume.toFixed(2),
      `${object.centroid.x}, ${object.centroid.y}, ${object.centroid.z}`,
      `${min.x}-${max.x}, ${min.y}-${max.y}, ${min.z}-${max.z}`,
      object.meanIntensity.toFixed(3),
    ];
  });
  console.log(
    table(["#", "voxels", "volume µm³", "centroid x, y, z", "bounds x, y, z", "mean"], rows),
  );
}

/** Columns padded to their widest cell, numbers right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        /^[\d.]+$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}

/** Follows `job` until it ends, drawing progress; resolves with its final state. */
function follow(
  job: Job,
  options: TerminalClientOptions,
  status: () => SystemStatus | undefined,
  updates: TerminalClientRun["updates"],
): Promise<JobState> {
  const { output } = options;
  const tty = (output as { isTTY?: boolean }).isTTY === true;
  const drawBar = tty || options.bar === "always";
  const bars = new cliProgress.MultiBar(
    {
      format: "{bar} {percentage}% | {step} | ETA {remaining}{status}",
      stream: output,
      noTTYOutput: drawBar,
      notTTYSchedule: 250,
      hideCursor: tty,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(100, 0, { step: "Starting", remaining: "--:--", status: "" });
  const log = (line: string) => {
    if (drawBar) bars.log(`${line}\n`);
    else output.write(`${line}\n`);
  };
  let chunks = 0;
  let validation = false;
  return new Promise<JobState>((resolve, reject) => {
    const finish = () => {
      stop();
      // Lines logged since the last redraw wait in the bar's buffer: draw once more for them.
      if (drawBar) bars.update();
      bars.stop();
    };
    const render = () => {
      const state = job.getSnapshot();
      options.onUpdate?.(state);
      if (state.subscription === "failed") {
        finish();
        reject(state.subscribeError);
        return;
      }
      if (state.status === null) return;
      const last = updates.at(-1);
      if (last?.percent !== state.percent || last.step !== state.step) {
        if (!drawBar && last?.step !== state.step) log(`→ ${state.step} (${state.percent}%)`);
        updates.push({ percent: state.percent, step: state.step });
      }
      for (; chunks < state.chunks.length; chunks++) log(chunkLine(state.chunks[chunks]?.data));
      if (state.validation && !validation) {
        validation = true;
        log(`! ${state.validation.reason}`);
      }
      bar.update(state.percent, {
        step: state.step ?? "",
        remaining: remaining(state),
        status: statusText(status()),
      });
      if (
        state.status === "completed" ||
        state.status === "failed" ||
        state.status === "cancelled"
      ) {
        finish();
        resolve(state);
      }
    };
    const stop = job.subscribe(render);
    render();
  });
}

/**
 * Starts an analysis on the hub at `url` and shows it in `output` until it ends. Resolves with
 * what the client saw; rejects when the hub refuses the parameters (`invalid_data`, with the
 * bad parameter in `details.issues`).
 */
export async function runTerminalClient(
  options: TerminalClientOptions,
): Promise<TerminalClientRun> {
  const client = createClient({ url: options.url });
  let systemStatus: SystemStatus | undefined;
  const system = client.subscribe(STATUS_CHANNEL, {
    onEvent: (event) => {
      systemStatus = event.data as SystemStatus;
    },
  });
  system.state.subscribe(() => {
    systemStatus ??= system.state.getSnapshot().snapshot as SystemStatus | undefined;
  });
  let job: Job | undefined;
  try {
    const reply = (await client.rpc("analysis.start", options.input ?? {}, {
      signal: options.signal,
    })) as AnalysisStartReply;
    job = client.job(reply.jobId);
    const started = job;
    const cancel = () => {
      started.cancel("Cancelled from the terminal").catch(() => {
        // Already finished: the summary says how it ended.
      });
    };
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener("abort", cancel, { once: true });
    const updates: TerminalClientRun["updates"] = [];
    const state = await follow(job, options, () => systemStatus, updates);
    options.signal?.removeEventListener("abort", cancel);
    printSummary(options.output, state, reply.jobId);
    return { jobId: reply.jobId, parameters: reply.parameters, state, updates, systemStatus };
  } finally {
    job?.dispose();
    client.close();
  }
}
