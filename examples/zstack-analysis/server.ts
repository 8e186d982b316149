/**
 * The z-stack analyser's hub: `analysis.start` runs an analysis as a job owned by the caller,
 * at most `workers` at once (the others wait in a queue), and the hub publishes the system
 * status on `system:status` every `statusInterval` ms.
 *
 * | RPC              | data                                                     | reply                   |
 * | ---------------- | -------------------------------------------------------- | ----------------------- |
 * | `analysis.start` | `{width?, height?, depth?, blobs?, noise?, sigma?, …}`   | `{jobId, parameters}`   |
 *
 * The caller follows `job:<jobId>` (`client.job(jobId)`) and cancels with `job.cancel`.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHub, type Hub } from "@switchyard/server";
import type { AppHubFactory } from "../web/app-hub.js";
import { type AnalysisParameters, analyse } from "./analysis.js";
import { analysisStartInput } from "./schemas.js";
import { SystemStatusPublisher } from "./system-status.js";
import { WorkerSlots } from "./worker-slots.js";

/** The reply of `analysis.start`. */
export interface AnalysisStartReply {
  /** The job to follow: `job:<jobId>`. */
  jobId: string;
  /** The parameters it runs with, defaults applied. */
  parameters: AnalysisParameters;
}

/** Options of {@link startZstackHub}. */
export interface ZstackHubOptions {
  /**
   * The port to listen on; 0 picks a free one.
   * @default 7072
   */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * Milliseconds between two system-status events.
   * @default 5_000
   */
  statusInterval?: number;
  /**
   * Analyses that run at once; later ones wait in the queue.
   * @default 2
   */
  workers?: number;
}

/** A running hub. */
export interface ZstackHub {
  /** The WebSocket URL clients connect to. */
  readonly url: string;
  readonly hub: Hub;
  readonly server: Server;
  readonly status: SystemStatusPublisher;
  readonly slots: WorkerSlots;
  /** Stops the status, the hub and the server. */
  close(): Promise<void>;
}

/** The step shown while an analysis waits for a worker slot. */
export const WAITING_STEP = "Waiting for a free worker";

/** The hub with its RPC, worker slots and system status, not yet started or attached. */
export interface ZstackParts {
  readonly hub: Hub;
  readonly status: SystemStatusPublisher;
  readonly slots: WorkerSlots;
}

/** Creates the hub and what runs beside it; `status.start(hub)` starts the status events. */
export function createZstackHub(
  options: Pick<ZstackHubOptions, "statusInterval" | "workers"> = {},
): ZstackParts {
  const slots = new WorkerSlots(options.workers ?? 2);
  const status = new SystemStatusPublisher(
    () => ({ queueLength: slots.queued, activeJobs: slots.active }),
    options.statusInterval ?? 5_000,
  );
  const hub = createHub({ allowAnonymous: true, namespaces: { system: status.namespace() } });

  hub.rpc("analysis.start", analysisStartInput, async (parameters, { client }) => {
    const job = await hub.jobs.run(
      async (job) => {
        const release = await slots.acquire(job.signal, () => {
          void job.progress(0, { step: WAITING_STEP });
        });
        try {
          return await analyse(job, parameters);
        } finally {
          release();
        }
      },
      { owner: client, meta: { algorithm: "otsu_3d_components", parameters } },
    );
    return { jobId: job.id, parameters } satisfies AnalysisStartReply;
  });
  return { hub, status, slots };
}

/** The web app's hub (examples/web mounts it at `/zstack-analysis/ws`). */
export const zstackApp: AppHubFactory = async () => {
  const { hub, status } = createZstackHub();
  await hub.whenStarted();
  status.start(hub);
  return {
    hub,
    async close() {
      status.stop();
      await hub.close({ timeout: 500 });
    },
  };
};

/** Starts the hub on an HTTP server. */
export async function startZstackHub(options: ZstackHubOptions = {}): Promise<ZstackHub> {
  const { hub, status, slots } = createZstackHub(options);
  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  hub.attach(server);

  server.listen(options.port ?? 7072, options.host ?? "127.0.0.1");
  await once(server, "listening");
  status.start(hub);
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `ws://${host}:${port}/ws`,
    hub,
    server,
    status,
    slots,
    async close() {
      status.stop();
      await hub.close({ timeout: 500 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
