/**
 * The z-stack analyser's hub: `analysis.start` runs an analysis as a job owned by the caller,
 * at most `workers` at once (the others wait in a queue), and the hub publishes the system
 * status on `system:status` every `statusInterval` ms. The web app also retries a failed
 * analysis (`analysis.retry`), answers a review request (`analysis.review`) and draws slices
 * of the segmentation (`analysis.slice`): see `rpcs.ts`.
 *
 * The caller follows `job:<jobId>` (`client.job(jobId)`) and cancels with `job.cancel`.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHub, type Hub } from "@switchyard/server";
import type { AppHubFactory } from "../web/app-hub.js";
import { PendingReviews } from "./reviews.js";
import { registerAnalysisRpcs } from "./rpcs.js";
import { SliceStore } from "./slices.js";
import { SystemStatusPublisher } from "./system-status.js";
import { WorkerSlots } from "./worker-slots.js";

export { type AnalysisStartReply, WAITING_STEP } from "./rpcs.js";

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

/** The hub with its RPC, worker slots and system status, not yet started or attached. */
export interface ZstackParts {
  readonly hub: Hub;
  readonly status: SystemStatusPublisher;
  readonly slots: WorkerSlots;
  /** The segmented stacks of recent analyses (`analysis.slice`). */
  readonly slices: SliceStore;
  /** The analyses waiting for their owner's review (`analysis.review`). */
  readonly reviews: PendingReviews;
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

  const slices = new SliceStore();
  const reviews = new PendingReviews();
  registerAnalysisRpcs(hub, { slots, slices, reviews });
  return { hub, status, slots, slices, reviews };
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
