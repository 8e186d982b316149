/**
 * A load-generator process: opens client connections with the same light client for every
 * target (a raw `ws` WebSocket speaking the target's dialect), subscribes, counts deliveries
 * and records their latency. Driven by the coordinator over IPC.
 */
import { WebSocket } from "ws";
import { nowMicros } from "./clock.js";
import type { EventData } from "./control.js";
import { DIALECTS, type DialectName } from "./dialects.js";
import { Histogram, type HistogramData } from "./histogram.js";

/** Coordinator → load generator. */
export type LoadgenCommand =
  | {
      type: "open";
      dialect: DialectName;
      port: number;
      /** Clients to open; client `i` gets the global index `firstIndex + i`. */
      count: number;
      firstIndex: number;
      /** Channels of each client; `{i}` is replaced by the client's global index. */
      channels: string[];
      /** Source addresses, used in turn, to go past one address's ephemeral ports. */
      localAddresses: string[];
      /** Connections being opened at the same time. */
      concurrency: number;
    }
  | { type: "reset" }
  | { type: "report" }
  | { type: "close" };

/** Load generator → coordinator. */
export type LoadgenMessage =
  | { type: "opened"; ready: number; failed: number; firstError?: string }
  | { type: "progress"; received: number }
  | { type: "report"; report: LoadgenReport };

export interface LoadgenReport {
  received: number;
  /** WebSocket messages (a message may carry several events). */
  messages: number;
  bytes: number;
  /** Deliveries whose sequence number was not above the previous one on the same socket. */
  reordered: number;
  /** Sockets closed by the server or failed after they were ready. */
  dropped: number;
  latency: HistogramData;
  firstError?: string;
}

const sockets: WebSocket[] = [];
const histogram = new Histogram();
let received = 0;
let bytes = 0;
let messages = 0;
let reordered = 0;
let dropped = 0;
let firstError: string | undefined;
let progressScheduled = false;
let closing = false;

function send(message: LoadgenMessage): void {
  process.send?.(message);
}

const reportProgress = () => {
  progressScheduled = false;
  send({ type: "progress", received });
};

function noteError(reason: string): void {
  firstError ??= reason;
}

/** Opens one client; resolves true once it is subscribed, false if it failed. */
function openClient(
  command: Extract<LoadgenCommand, { type: "open" }>,
  index: number,
): Promise<boolean> {
  const dialect = DIALECTS[command.dialect];
  const channels = command.channels.map((channel) => channel.replace("{i}", String(index)));
  const localAddress = command.localAddresses[index % command.localAddresses.length];
  return new Promise((resolve) => {
    let settled = false;
    let lastSeq = -1;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    const socket = new WebSocket(
      `ws://127.0.0.1:${command.port}${dialect.path}`,
      dialect.protocols,
      {
        localAddress,
        perMessageDeflate: false,
      },
    );
    sockets.push(socket);
    const session = dialect.session(channels, {
      send: (data) => socket.send(data),
      event: (data: EventData) => {
        received++;
        if (data.seq <= lastSeq) reordered++;
        lastSeq = data.seq;
        histogram.record(nowMicros() - data.t);
        if (!progressScheduled) {
          progressScheduled = true;
          setImmediate(reportProgress);
        }
      },
      ready: () => settle(true),
      fail: (reason) => {
        noteError(reason);
        settle(false);
      },
    });
    socket.on("open", () => session.open());
    socket.on("message", (raw: Buffer, binary: boolean) => {
      bytes += raw.length;
      messages++;
      session.message(raw, binary);
    });
    socket.on("error", (error) => {
      noteError(error.message);
      settle(false);
    });
    socket.on("close", (code) => {
      if (settled) {
        if (!closing) dropped++;
      } else {
        noteError(`closed with ${code} before it was ready`);
        settle(false);
      }
    });
  });
}

async function open(command: Extract<LoadgenCommand, { type: "open" }>): Promise<void> {
  let next = 0;
  let ready = 0;
  let failed = 0;
  const worker = async () => {
    while (next < command.count) {
      const index = command.firstIndex + next++;
      if (await openClient(command, index)) ready++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, worker));
  send({ type: "opened", ready, failed, firstError });
}

process.on("message", (command: LoadgenCommand) => {
  switch (command.type) {
    case "open":
      void open(command);
      return;
    case "reset":
      histogram.reset();
      return;
    case "report":
      send({
        type: "report",
        report: {
          received,
          messages,
          bytes,
          reordered,
          dropped,
          latency: histogram.toData(),
          firstError,
        },
      });
      return;
    case "close":
      closing = true;
      for (const socket of sockets) socket.terminate();
      process.disconnect?.();
      setImmediate(() => process.exit(0));
      return;
  }
});
process.on("disconnect", () => process.exit(0));
