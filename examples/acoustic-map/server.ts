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
 *
 * The same hub serves the web app's shared projects (`project.*` RPCs, project.ts);
 * {@link acousticApp} is its factory for the web apps server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Broker, createHub, type Hub, SwitchyardError } from "@switchyard/server";
import type { AppHubFactory } from "../web/app-hub.js";
import { type MapResult, type OptimizerResult, runMapJob, runOptimizerJob } from "./jobs.js";
import { parseInput } from "./parse-input.js";
import {
  type ProjectOptions,
  projectDocuments,
  projectNamespace,
  projectPresence,
  registerProjectRpcs,
} from "./project.js";
import { RoomBoard } from "./room-board.js";
import {
  mapComputeInput,
  optimizerStartInput,
  optimizerStopInput,
  sourcesMoveInput,
} from "./schemas.js";
import { airAbsorption, type Grid, gridOver } from "./spl.js";

export type { MapResult, OptimizerResult };

/** The reply of `map.compute`: the job to watch and the geometry of its chunks. */
export interface MapComputeReply {
  jobId: string;
  grid: Grid;
  rowsPerChunk: number;
  /** Number of chunks (the job's chunk `total`). */
  chunks: number;
}

/** The reply of `optimizer.start`. */
export interface OptimizerStartReply {
  jobId: string;
  generations: number;
  seed: number;
}

/** Registers the acoustic simulator's RPCs on a hub; `board` keeps the rooms' source positions. */
export function registerAcousticRpcs(hub: Hub, board: RoomBoard): void {
  hub.rpc("map.compute", async (data, { client }): Promise<MapComputeReply> => {
    const input = parseInput(mapComputeInput, data, "map.compute");
    const grid = gridOver(input.room, input.grid.resolution);
    const rowsPerChunk = input.grid.rowsPerChunk;
    const chunks = Math.ceil(grid.rows / rowsPerChunk);
    const job = await hub.jobs.run(
      (handle) =>
        runMapJob(handle, {
          grid,
          sources: input.sources,
          room: input.room,
          absorption: input.frequency === undefined ? 0 : airAbsorption(input.frequency),
          rowsPerChunk,
          chunkInterval: 0,
        }),
      {
        owner: client,
        meta: { kind: "map", grid, rowsPerChunk, sources: input.sources.length },
      },
    );
    return { jobId: job.id, grid, rowsPerChunk, chunks };
  });

  hub.rpc("optimizer.start", async (data, { client }): Promise<OptimizerStartReply> => {
    const input = parseInput(optimizerStartInput, data, "optimizer.start");
    const seed = input.seed ?? Math.floor(Math.random() * 2 ** 32);
    const problem = {
      sources: input.sources,
      room: input.room,
      minLevel: input.minLevel,
      resolution: input.resolution,
      absorption: input.frequency === undefined ? 0 : airAbsorption(input.frequency),
      ...(input.target && { target: input.target }),
    };
    const job = await hub.jobs.run(
      (handle) => runOptimizerJob(handle, problem, { ...input, seed }),
      {
        owner: client,
        meta: { kind: "optimizer", generations: input.generations, seed },
      },
    );
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

/** Options of {@link createAcousticHub}. */
export interface AcousticHubOptions extends Partial<ProjectOptions> {
  /** The broker; the embedded memory broker when absent. */
  broker?: Broker;
}

/**
 * The pace of the web app's jobs: a project's map fills in over about 2.5 s (64 chunks) and
 * the optimiser shows about ten generations a second, so a person sees them progress.
 */
export const WEB_APP_PACE: ProjectOptions = { chunkInterval: 40, generationInterval: 100 };

/**
 * Creates the hub (anonymous clients allowed: it is a local demo) with the `room` namespace
 * of the terminal client and the shared projects of the web app (project.ts).
 */
export function createAcousticHub(options: AcousticHubOptions = {}): Hub {
  const { broker, ...pace } = options;
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
      // `project:<id>`: who is in the project, and the sources being dragged.
      project: projectNamespace(),
    },
    presence: { namespaces: { project: projectPresence } },
    state: { documents: projectDocuments() },
  });
  registerAcousticRpcs(hub, board);
  registerProjectRpcs(hub, {
    chunkInterval: pace.chunkInterval ?? 0,
    generationInterval: pace.generationInterval ?? 0,
  });
  return hub;
}

/** A factory of the web app's hub with its jobs at `pace` (tests slow them down to watch them). */
export function createAcousticApp(pace: ProjectOptions = WEB_APP_PACE): AppHubFactory {
  return async () => {
    const hub = createAcousticHub(pace);
    await hub.whenStarted();
    return { hub, close: () => hub.close({ timeout: 500 }) };
  };
}

/**
 * The web app's hub (examples/web mounts it at `/acoustic-map/ws`): the acoustic hub on the
 * memory broker, its jobs paced for watching ({@link WEB_APP_PACE}).
 */
export const acousticApp: AppHubFactory = createAcousticApp();

/** Starts the hub on an HTTP server; resolves once it listens. */
export async function startAcousticServer(
  options: AcousticServerOptions = {},
): Promise<AcousticServer> {
  const hub = createAcousticHub({ broker: options.broker });
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
