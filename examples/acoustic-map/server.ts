/**
 * The acoustic simulator's hub: RPCs start an SPL map or an optimisation as jobs, stop an
 * optimisation, and broadcast source moves to everyone in the same room.
 *
 * | RPC               | data                              | reply                             |
 * | ----------------- | --------------------------------- | --------------------------------- |
 * | `map.compute`     | `{grid?, sources, room}`          | `{jobId, grid, rowsPerChunk, chunks}` |
 * | `optimizer.start` | `{sources, room, target?, …}`     | `{jobId, generations, seed}`      |
 * | `optimizer.stop`  | `{jobId}`                         | `{jobId, status}`                 |
 * | `sources.move`    | `{room, sourceId, x, y, angle?}`  | `{offset}`                        |
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  type Broker,
  createHub,
  type Hub,
  type JobHandle,
  SwitchyardError,
} from "@switchyard/server";
import type { AppHubFactory } from "../web/app-hub.js";
import { encodeChunk } from "./map-chunk.js";
import {
  DEFAULT_OPTIMIZER_SETTINGS,
  type GenerationReport,
  GeneticOptimizer,
} from "./optimizer.js";
import { parseInput } from "./parse-input.js";
import { RoomBoard } from "./room-board.js";
import {
  type MapComputeInput,
  mapComputeInput,
  type OptimizerStartInput,
  optimizerStartInput,
  optimizerStopInput,
  sourcesMoveInput,
} from "./schemas.js";
import { computeRow, type Grid, gridOver, type SplStats, statsOf } from "./spl.js";

/** The reply of `map.compute`: the job to watch and the geometry of its chunks. */
export interface MapComputeReply {
  jobId: string;
  grid: Grid;
  rowsPerChunk: number;
  /** Number of chunks (the job's chunk `total`). */
  chunks: number;
}

/** The result a map job completes with. */
export interface MapResult {
  stats: SplStats;
  computationMs: number;
}

/** The reply of `optimizer.start`. */
export interface OptimizerStartReply {
  jobId: string;
  generations: number;
  seed: number;
}

/** The result an optimiser job completes with. */
export interface OptimizerResult {
  /** The last generation's report: its best layout is the answer. */
  final: GenerationReport;
  /** Best fitness of each generation, in order. */
  convergence: number[];
}

/** Registers the acoustic simulator's RPCs on a hub; `board` keeps the rooms' source positions. */
export function registerAcousticRpcs(hub: Hub, board: RoomBoard): void {
  hub.rpc("map.compute", async (data, { client }): Promise<MapComputeReply> => {
    const input = parseInput(mapComputeInput, data, "map.compute");
    const grid = gridOver(input.room, input.grid.resolution);
    const rowsPerChunk = input.grid.rowsPerChunk;
    const chunks = Math.ceil(grid.rows / rowsPerChunk);
    const job = await hub.jobs.run((handle) => computeMap(handle, input, grid, rowsPerChunk), {
      owner: client,
      meta: { kind: "map", grid, rowsPerChunk, sources: input.sources.length },
    });
    return { jobId: job.id, grid, rowsPerChunk, chunks };
  });

  hub.rpc("optimizer.start", async (data, { client }): Promise<OptimizerStartReply> => {
    const input = parseInput(optimizerStartInput, data, "optimizer.start");
    const seed = input.seed ?? Math.floor(Math.random() * 2 ** 32);
    const job = await hub.jobs.run((handle) => optimize(handle, input, seed), {
      owner: client,
      meta: { kind: "optimizer", generations: input.generations, seed },
    });
    return { jobId: job.id, generations: input.generations, seed };
  });

  hub.rpc("optimizer.stop", async (data, { client }) => {
    const { jobId } = parseInput(optimizerStopInput, data, "optimizer.stop");
    const job = await hub.jobs.get(jobId);
    if ((job.meta as { kind?: string } | null)?.kind !== "optimizer") {
      throw new SwitchyardError("invalid_data", `Job '${jobId}' is not an optimisation`, {
        issues: [{ path: ["jobId"], message: "Not an optimiser job" }],
      });
    }
    const after = await hub.jobs.cancel(jobId, { by: client, reason: "optimizer.stop" });
    return { jobId, status: after.status };
  });

  hub.rpc("sources.move", async (data, { client }) => {
    const move = parseInput(sourcesMoveInput, data, "sources.move");
    const moved = board.move(move, client);
    const { offset } = await hub.publish(`room:${move.room}`, "source_moved", moved);
    return { offset };
  });
}

/** Computes the map chunk by chunk: each chunk is published before the next is computed. */
async function computeMap(
  job: JobHandle,
  input: MapComputeInput,
  grid: Grid,
  rowsPerChunk: number,
): Promise<MapResult> {
  const started = performance.now();
  const total = Math.ceil(grid.rows / rowsPerChunk);
  const values: Float32Array[] = [];
  for (let index = 0; index < total; index++) {
    job.signal.throwIfAborted();
    const first = index * rowsPerChunk;
    const rows: Float32Array[] = [];
    for (let row = first; row < Math.min(first + rowsPerChunk, grid.rows); row++) {
      rows.push(computeRow(grid, input.sources, input.room, row));
    }
    values.push(...rows);
    await job.chunk(encodeChunk(first, rows), { index, total });
    await job.progress(((index + 1) / total) * 100, { step: "Computing SPL" });
    // Let the socket write and a cancel arrive between chunks.
    await yieldToEventLoop();
  }
  const stats = statsOf(values.flatMap((row) => [...row]));
  return { stats, computationMs: Math.round(performance.now() - started) };
}

/** Runs the optimiser, one chunk (a {@link GenerationReport}) per generation. */
async function optimize(
  job: JobHandle,
  input: OptimizerStartInput,
  seed: number,
): Promise<OptimizerResult> {
  const optimizer = new GeneticOptimizer(
    {
      sources: input.sources,
      room: input.room,
      target: input.target,
      minLevel: input.minLevel,
      resolution: input.resolution,
    },
    { ...DEFAULT_OPTIMIZER_SETTINGS, ...input, seed },
  );
  const convergence: number[] = [];
  let report = optimizer.report();
  while (!optimizer.done) {
    // Cancel is honoured between generations.
    job.signal.throwIfAborted();
    report = optimizer.next();
    convergence.push(report.best);
    await job.chunk(report, { index: report.generation - 1, total: input.generations });
    await job.progress((report.generation / input.generations) * 100, {
      step: `Generation ${report.generation}/${input.generations}`,
    });
    await yieldToEventLoop();
  }
  return { final: report, convergence };
}

/** Options of {@link startAcousticServer}. */
export interface AcousticServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** The broker; the embedded memory broker when absent. */
  broker?: Broker;
}

/** A running acoustic hub. */
export interface AcousticServer {
  /** The WebSocket URL clients connect to. */
  url: string;
  hub: Hub;
  server: Server;
  close(): Promise<void>;
}

/** Creates the hub (anonymous clients allowed: it is a local demo) with the `room` namespace. */
export function createAcousticHub(broker?: Broker): Hub {
  const board = new RoomBoard();
  const hub = createHub({
    broker,
    allowAnonymous: true,
    namespaces: {
      // `room:<name>`: moves of the sources in one simulated room; published only through
      // `sources.move` (validated), watched by anyone who knows the name.
      room: {
        subscribe: "anyone",
        publish: "nobody",
        snapshot: ({ name }) => ({ sources: board.sources(name) }),
      },
    },
  });
  registerAcousticRpcs(hub, board);
  return hub;
}

/** The web app's hub (examples/web mounts it at `/acoustic-map/ws`). */
export const acousticApp: AppHubFactory = async () => {
  const hub = createAcousticHub();
  await hub.whenStarted();
  return { hub, close: () => hub.close({ timeout: 500 }) };
};

/** Starts the hub on an HTTP server; resolves once it listens. */
export async function startAcousticServer(
  options: AcousticServerOptions = {},
): Promise<AcousticServer> {
  const hub = createAcousticHub(options.broker);
  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  await hub.whenStarted();
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `ws://${host}:${port}/ws`,
    hub,
    server,
    async close() {
      await hub.close({ timeout: 500 });
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
