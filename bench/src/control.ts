import { createConnection, createServer, type Socket } from "node:net";
import { nowMicros } from "./clock.js";

/**
 * The side channel that tells a server under test to publish: newline-delimited JSON over
 * one TCP connection from the coordinator. Every target (Node or Bun) runs this same code,
 * so the cost of being told to publish is identical for all of them.
 */
export type ControlCommand =
  | {
      op: "publish";
      /** Publish `count` events to this channel... */
      channel?: string;
      /** ...or one event to each of `prefix + (first + i) % modulo`. */
      prefix?: string;
      first?: number;
      modulo?: number;
      count: number;
      /** Sequence number of the first event; the next ones follow. */
      seq: number;
    }
  | { op: "gc"; id: number }
  /** Replies with the server's clock, for aligning it with the load generators'. */
  | { op: "clock"; id: number }
  /** Adds this many microseconds to the server's clock from now on. */
  | { op: "offset"; id: number; micros: number }
  /** Starts the CPU profiler, or stops it and writes the profile to `path`. */
  | { op: "profile"; id: number; action: "start" | "stop"; path?: string }
  /** Writes a V8 heap snapshot to `path` (Node servers only). */
  | { op: "heap"; id: number; path: string }
  /** Replies with the server's `process.memoryUsage()` (no GC: send `gc` first). */
  | { op: "memory"; id: number };

/**
 * A server's `process.memoryUsage()`, in bytes. On Node `heapUsed` is V8's live heap and
 * `external` the memory of C++ objects tied to JS objects (chiefly Buffer and ArrayBuffer
 * backing stores, `arrayBuffers` being that part). On Bun `heapUsed` is JavaScriptCore's heap
 * and `external` its "extra memory" (what native objects report to the collector); Bun
 * reports `arrayBuffers` as 0. Neither engine counts native per-socket state that is not
 * reported to the collector (libuv handles, uWebSockets sockets): that shows in RSS only.
 */
export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** What a subscriber receives as the event's data: ~200 bytes of JSON. */
export interface EventData {
  seq: number;
  /** Microseconds on the shared clock when the server published the event. */
  t: number;
  pad: string;
}

/** The event name every target publishes. */
export const EVENT_NAME = "tick";

const PAD = "x".repeat(160);

/** Correction of this server's clock set by the coordinator (Bun's hrtime has its own origin). */
let clockOffset = 0;

/** The data of one event, timestamped now. */
export function eventData(seq: number): EventData {
  return { seq, t: nowMicros() + clockOffset, pad: PAD };
}

/** A CPU profiler inside a server under test (Node servers only). */
export interface Profiler {
  start(): Promise<void>;
  stop(path: string): Promise<void>;
  /** Writes a heap snapshot. */
  heapSnapshot(path: string): void;
}

/** What one server under test implements. */
export interface ServerUnderTest {
  /** Publishes one event to every subscriber of `channel`. */
  publish(channel: string, data: EventData): void;
  /** Collects garbage (before memory readings). */
  gc(): void;
  profiler?: Profiler;
}

function runCommand(target: ServerUnderTest, command: ControlCommand, reply: Socket): void {
  switch (command.op) {
    case "publish": {
      if (command.channel !== undefined) {
        for (let i = 0; i < command.count; i++) {
          target.publish(command.channel, eventData(command.seq + i));
        }
      } else {
        const prefix = command.prefix ?? "";
        const modulo = command.modulo ?? Number.MAX_SAFE_INTEGER;
        const first = command.first ?? 0;
        for (let i = 0; i < command.count; i++) {
          target.publish(prefix + ((first + i) % modulo), eventData(command.seq + i));
        }
      }
      return;
    }
    case "gc":
      target.gc();
      reply.write(`${JSON.stringify({ id: command.id })}\n`);
      return;
    case "clock":
      reply.write(`${JSON.stringify({ id: command.id, now: nowMicros() })}\n`);
      return;
    case "offset":
      clockOffset = command.micros;
      reply.write(`${JSON.stringify({ id: command.id })}\n`);
      return;
    case "profile": {
      const done = () => reply.write(`${JSON.stringify({ id: command.id })}\n`);
      const profiler = target.profiler;
      if (!profiler) done();
      else if (command.action === "start") void profiler.start().then(done);
      else void profiler.stop(command.path ?? "server.cpuprofile").then(done);
      return;
    }
    case "heap":
      target.profiler?.heapSnapshot(command.path);
      reply.write(`${JSON.stringify({ id: command.id })}\n`);
      return;
    case "memory": {
      const usage = process.memoryUsage();
      const memory: MemoryUsage = {
        rss: usage.rss,
        heapTotal: usage.heapTotal,
        heapUsed: usage.heapUsed,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
      };
      reply.write(`${JSON.stringify({ id: command.id, memory })}\n`);
      return;
    }
  }
}

/**
 * Starts the control listener of a server under test and prints the ready line the
 * coordinator waits for: `READY {"port":…,"control":…}`.
 */
export function serveControl(target: ServerUnderTest, port: number): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let pending = "";
    socket.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.length > 0) runCommand(target, JSON.parse(line) as ControlCommand, socket);
        newline = pending.indexOf("\n");
      }
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const control = typeof address === "object" && address !== null ? address.port : 0;
    process.stdout.write(`READY ${JSON.stringify({ port, control })}\n`);
  });
  // Exit through process.exit so that `--cpu-prof` writes its profile.
  const stop = () => process.exit(0);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

interface ControlReply {
  id: number;
  now?: number;
  memory?: MemoryUsage;
}

/** The coordinator's end of the control channel. */
export class ControlClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ControlReply) => void>();
  private pending = "";

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.pending += chunk.toString("utf8");
      let newline = this.pending.indexOf("\n");
      while (newline !== -1) {
        const reply = JSON.parse(this.pending.slice(0, newline)) as ControlReply;
        this.pending = this.pending.slice(newline + 1);
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
        newline = this.pending.indexOf("\n");
      }
    });
  }

  static connect(port: number): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.setNoDelay(true);
        resolve(new ControlClient(socket));
      });
      socket.once("error", reject);
    });
  }

  send(command: ControlCommand): void {
    this.socket.write(`${JSON.stringify(command)}\n`);
  }

  private request(
    command:
      | { op: "gc" | "clock" | "memory" }
      | { op: "offset"; micros: number }
      | { op: "profile"; action: "start" | "stop"; path?: string }
      | { op: "heap"; path: string },
  ) {
    const id = this.nextId++;
    return new Promise<ControlReply>((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ ...command, id });
    });
  }

  /** Asks the server to collect garbage and waits until it did. */
  async gc(): Promise<void> {
    await this.request({ op: "gc" });
  }

  /**
   * The server's `process.memoryUsage()` now. Send `gc()` first: without a collection
   * `heapUsed` includes garbage.
   */
  async memory(): Promise<MemoryUsage> {
    const reply = await this.request({ op: "memory" });
    if (!reply.memory) throw new Error("the server's memory reply carries no figures");
    return reply.memory;
  }

  /** Starts the server's CPU profiler (a no-op for servers without one). */
  async startProfile(): Promise<void> {
    await this.request({ op: "profile", action: "start" });
  }

  /** Stops the server's CPU profiler and has it write the profile to `path`. */
  async stopProfile(path: string): Promise<void> {
    await this.request({ op: "profile", action: "stop", path });
  }

  /** Has the server write a heap snapshot to `path` (a no-op for servers without a profiler). */
  async heapSnapshot(path: string): Promise<void> {
    await this.request({ op: "heap", path });
  }

  /**
   * Aligns the server's event timestamps with this process's clock: the offset seen by the
   * round trip with the smallest delay. Returns the bound of the error (half that round trip).
   */
  async alignClock(rounds = 50): Promise<number> {
    let best = Number.POSITIVE_INFINITY;
    let offset = 0;
    for (let i = 0; i < rounds; i++) {
      const sent = nowMicros();
      const reply = await this.request({ op: "clock" });
      const back = nowMicros();
      if (back - sent < best && reply.now !== undefined) {
        best = back - sent;
        offset = (sent + back) / 2 - reply.now;
      }
    }
    await this.request({ op: "offset", micros: offset });
    return best / 2;
  }

  close(): void {
    this.socket.destroy();
  }
}
