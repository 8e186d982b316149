/**
 * The terminal client: connects to the acoustic hub with the MessagePack codec, computes the
 * SPL map (a live progress bar while the rows stream in), then optimises the source positions
 * (a live bar per generation), and prints a summary.
 */
import {
  type Client,
  createClient,
  type Job,
  type JobState,
  SwitchyardError,
} from "@switchyard/client";
import { msgpackCodec } from "@switchyard/client/msgpack";
import { Presets, SingleBar } from "cli-progress";
import { decodeChunk } from "./map-chunk.js";
import type { GenerationReport } from "./optimizer.js";
import { DEMO_SCENARIO, type Scenario } from "./scenario.js";
import type { MapComputeReply, MapResult, OptimizerResult, OptimizerStartReply } from "./server.js";
import { type SplStats, statsOf } from "./spl.js";

/** Options of {@link runAcousticClient}. */
export interface AcousticClientOptions {
  /** The hub's WebSocket URL (`ws://127.0.0.1:7071/ws`). */
  url: string;
  /** Where the progress bars and the summary go (`process.stdout`). */
  output: NodeJS.WritableStream;
  /** @default DEMO_SCENARIO */
  scenario?: Scenario;
  /** Ask `optimizer.stop` once this many generations arrived (to show a cancel). */
  stopAfter?: number;
}

/** What one run saw. */
export interface AcousticRun {
  map: {
    reply: MapComputeReply;
    /** The assembled grid, one Float32Array per row (NaN outside the room). */
    rows: Float32Array[];
    /** Chunk indices in the order they arrived. */
    arrival: number[];
    /** Figures of the assembled grid, computed here. */
    stats: SplStats;
    /** What the job completed with (the hub's own figures). */
    result: MapResult;
  };
  optimizer: {
    reply: OptimizerStartReply;
    status: JobState["status"];
    /** One report per generation that ran, in order. */
    generations: GenerationReport[];
    /** What the job completed with, or null when it was stopped. */
    result: OptimizerResult | null;
  };
}

/**
 * Calls `onChange` on every change of the job with the chunks that appeared since the last
 * call (in the order they arrived), and resolves with the job's final state.
 */
function follow(
  job: Job,
  onChange: (state: JobState, fresh: { index: number; data: unknown }[]) => void,
): Promise<JobState> {
  const seen = new Set<number>();
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = job.getSnapshot();
      const fresh = state.chunks.filter((chunk) => !seen.has(chunk.index));
      for (const chunk of fresh) seen.add(chunk.index);
      onChange(state, fresh);
      if (state.subscription === "failed") {
        stop();
        reject(state.subscribeError ?? new Error(`Cannot follow job ${job.id}`));
      } else if (
        state.status === "completed" ||
        state.status === "failed" ||
        state.status === "cancelled"
      ) {
        stop();
        resolve(state);
      }
    };
    const stop = job.subscribe(check);
    check();
  });
}

function etaText(state: JobState): string {
  if (state.etaAt === null) return "--";
  return `${Math.max(0, (state.etaAt - Date.now()) / 1000).toFixed(1)} s`;
}

function bar(output: NodeJS.WritableStream, format: string): SingleBar {
  return new SingleBar(
    { stream: output, format, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: null },
    Presets.shades_classic,
  );
}

async function computeMap(client: Client, output: NodeJS.WritableStream, scenario: Scenario) {
  const reply = (await client.rpc("map.compute", {
    grid: scenario.grid,
    sources: scenario.sources,
    room: scenario.room,
  })) as MapComputeReply;
  const rows: Float32Array[] = new Array(reply.grid.rows);
  const arrival: number[] = [];
  const progress = bar(
    output,
    "SPL map   {bar} {percentage}% | rows {value}/{total} | ETA {hubEta}",
  );
  progress.start(reply.grid.rows, 0, { hubEta: "--" });
  let received = 0;
  const job = client.job(reply.jobId);
  try {
    const final = await follow(job, (state, fresh) => {
      for (const chunk of fresh) {
        arrival.push(chunk.index);
        const { row, values } = decodeChunk(chunk.data);
        values.forEach((line, offset) => {
          rows[row + offset] = line;
        });
        received += values.length;
      }
      progress.update(received, { hubEta: etaText(state) });
    });
    if (final.status !== "completed") {
      throw new Error(`The map job ended ${final.status}: ${final.error?.message ?? ""}`);
    }
    const missing = [...rows.keys()].filter((row) => rows[row] === undefined);
    if (missing.length > 0) throw new Error(`Rows ${missing.join(", ")} never arrived`);
    const stats = statsOf(rows.flatMap((line) => [...line]));
    return { reply, rows, arrival, stats, result: final.result as MapResult };
  } finally {
    progress.stop();
    job.dispose();
  }
}

async function optimize(
  client: Client,
  output: NodeJS.WritableStream,
  scenario: Scenario,
  stopAfter: number | undefined,
) {
  const reply = (await client.rpc("optimizer.start", {
    ...scenario.optimizer,
    sources: scenario.sources,
    room: scenario.room,
  })) as OptimizerStartReply;
  const generations: GenerationReport[] = [];
  const progress = bar(
    output,
    "Optimiser {bar} {percentage}% | generation {value}/{total} | best fitness {best} | ETA {hubEta}",
  );
  progress.start(reply.generations, 0, { best: "--", hubEta: "--" });
  let stopping: Promise<unknown> | undefined;
  const job = client.job(reply.jobId);
  try {
    const final = await follow(job, (state, fresh) => {
      for (const chunk of fresh) generations[chunk.index] = chunk.data as GenerationReport;
      const last = generations.at(-1);
      progress.update(generations.length, {
        best: last ? last.best.toFixed(2) : "--",
        hubEta: etaText(state),
      });
      if (stopAfter !== undefined && !stopping && generations.length >= stopAfter) {
        stopping = client.rpc("optimizer.stop", { jobId: reply.jobId });
      }
    });
    await stopping?.catch((error: unknown) => {
      // The last generation may beat the stop request: the job then completed.
      if (!(error instanceof SwitchyardError && error.code === "job_finished")) throw error;
    });
    return {
      reply,
      status: final.status,
      generations,
      result: final.status === "completed" ? (final.result as OptimizerResult) : null,
    };
  } finally {
    progress.stop();
    job.dispose();
  }
}

const dB = (value: number) => `${value.toFixed(1)} dB`;

function summarize(output: NodeJS.WritableStream, run: AcousticRun): void {
  const { map, optimizer } = run;
  const { grid } = map.reply;
  const lines = [
    "",
    `SPL map: ${grid.cols} × ${grid.rows} cells of ${grid.resolution} m, ${map.stats.cells} inside the room`,
    `  min ${dB(map.stats.min)}   max ${dB(map.stats.max)}   mean ${dB(map.stats.mean)}   spread ±${dB(map.stats.std)}`,
    `  computed by the hub in ${map.result.computationMs} ms, ${map.reply.chunks} chunks in MessagePack`,
    "",
    `Optimiser (seed ${optimizer.reply.seed}): ${optimizer.status} after ${optimizer.generations.length} of ${optimizer.reply.generations} generations`,
    "  generation   best fitness   mean fitness",
    ...optimizer.generations.map(
      (report) =>
        `  ${String(report.generation).padStart(10)}   ${report.best.toFixed(3).padStart(12)}   ${report.mean.toFixed(3).padStart(12)}`,
    ),
  ];
  const best = optimizer.generations.at(-1);
  if (best) {
    lines.push("  best layout:");
    for (const source of best.bestConfiguration) {
      lines.push(
        `    ${source.id.padEnd(12)} x ${source.x.toFixed(2).padStart(6)} m   y ${source.y.toFixed(2).padStart(6)} m   ${source.pattern} ${source.angle}°`,
      );
    }
  }
  output.write(`${lines.join("\n")}\n`);
}

/**
 * Runs the demo against a hub: computes the map, then optimises, with live progress bars on
 * `output`, and prints the summary. Resolves with everything it saw.
 *
 * @example
 * import { runAcousticClient } from "./client.js";
 * await runAcousticClient({ url: "ws://127.0.0.1:7071/ws", output: process.stdout });
 */
export async function runAcousticClient(options: AcousticClientOptions): Promise<AcousticRun> {
  const { output } = options;
  const scenario = options.scenario ?? DEMO_SCENARIO;
  const client = createClient({ url: options.url, codec: msgpackCodec });
  try {
    const map = await computeMap(client, output, scenario);
    const optimizer = await optimize(client, output, scenario, options.stopAfter);
    const run = { map, optimizer };
    summarize(output, run);
    return run;
  } finally {
    client.close();
  }
}
