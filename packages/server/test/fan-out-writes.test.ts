import { Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { connected, OPEN_POLICY, onCleanup, type RawClient, startHub } from "./helpers/fixtures.js";
import { untilOffset } from "./helpers/streams.js";

const CHANNEL = "fan:1";
const PER_CODEC = 6;

interface Write {
  socket: Socket;
  chunk: unknown;
}

/** Records every write to a server-side socket of the hub listening on `port`. */
function recordServerWrites(port: number): Write[] {
  const writes: Write[] = [];
  const write = Socket.prototype.write;
  const spy = vi.spyOn(Socket.prototype, "write").mockImplementation(function (
    this: Socket,
    ...args: unknown[]
  ) {
    if (this.localPort === port) writes.push({ socket: this, chunk: args[0] });
    return (write as (...rest: unknown[]) => boolean).apply(this, args);
  });
  onCleanup(() => spy.mockRestore());
  return writes;
}

async function subscribers(url: string): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (const codec of ["json", "msgpack"] as const) {
    for (let i = 0; i < PER_CODEC; i++) {
      const client = await connected(url, {}, { codec });
      const reply = await client.request({ type: "subscribe", channel: CHANNEL });
      expect(reply.error).toBeUndefined();
      clients.push(client);
    }
  }
  return clients;
}

function writesPerSocket(writes: Write[]): number[] {
  const counts = new Map<Socket, number>();
  for (const { socket } of writes) counts.set(socket, (counts.get(socket) ?? 0) + 1);
  return [...counts.values()];
}

describe("fan-out on the wire", () => {
  it("encodes and frames one event once per codec and writes that buffer to every socket", async () => {
    const { url, port, hub } = await startHub(OPEN_POLICY);
    const clients = await subscribers(url);
    const writes = recordServerWrites(port);

    const { offset } = await hub.publish(CHANNEL, "tick", { n: 1 });
    await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, offset ?? 1)));

    expect(writes).toHaveLength(2 * PER_CODEC);
    expect(writesPerSocket(writes)).toEqual(Array(2 * PER_CODEC).fill(1));
    // One frame buffer per codec, shared by all of its subscribers.
    expect(new Set(writes.map((write) => write.chunk)).size).toBe(2);
  });

  it("coalesces the events of one tick into one write per connection on a busy hub, the batch shared", async () => {
    const { url, port, hub } = await startHub(OPEN_POLICY);
    const clients = await subscribers(url);
    // The clock stands still, so once an event was flushed the hub never looks idle again.
    vi.spyOn(performance, "now").mockReturnValue(1_000);
    onCleanup(() => {
      vi.restoreAllMocks();
    });
    const { offset: first } = await hub.publish(CHANNEL, "tick", { n: -1 });
    await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, first ?? 1)));
    const writes = recordServerWrites(port);

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, n) => hub.publish(CHANNEL, "tick", { n })),
    );
    const last = Math.max(...results.map((result) => result.offset ?? 0));
    await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, last)));

    expect(writesPerSocket(writes)).toEqual(Array(2 * PER_CODEC).fill(1));
    expect(new Set(writes.map((write) => write.chunk)).size).toBe(2);
    for (const client of clients) expect(client.events(CHANNEL)).toHaveLength(6);
  });

  it("writes an event that finds the hub idle at once, then batches the rest of the tick", async () => {
    const { url, port, hub } = await startHub(OPEN_POLICY);
    const clients = await subscribers(url);
    let now = 1_000;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    onCleanup(() => {
      vi.restoreAllMocks();
    });
    await hub.publish(CHANNEL, "tick", { n: -1 });
    await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, 1)));
    now += 1_000; // a quiet second since the last flush
    const writes = recordServerWrites(port);

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, n) => hub.publish(CHANNEL, "tick", { n })),
    );
    const last = Math.max(...results.map((result) => result.offset ?? 0));
    await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, last)));

    // The first event went out alone, at once; the other four together at the end of the tick.
    expect(writesPerSocket(writes)).toEqual(Array(2 * PER_CODEC).fill(2));
    expect(new Set(writes.map((write) => write.chunk)).size).toBe(4);
    for (const client of clients) expect(client.events(CHANNEL)).toHaveLength(6);
  });

  it("frames small, medium and large messages (2-, 4- and 10-byte headers) for both codecs", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const clients = await subscribers(url);
    const sizes = [10, 300, 70_000];
    let last = 0;
    for (const size of sizes) {
      const { offset } = await hub.publish(CHANNEL, "sized", { text: "y".repeat(size) });
      last = offset ?? last + 1;
      // One event per tick: each goes out as a single frame, not a batch.
      await Promise.all(clients.map((client) => untilOffset(client, CHANNEL, last)));
    }
    for (const client of clients) {
      const texts = client.events(CHANNEL).map((frame) => (frame.data as { text: string }).text);
      expect(texts.map((text) => text.length)).toEqual(sizes);
    }
  });
});
