/**
 * Memory per presence entry (one connection present on a channel), for docs/presence.md:
 * - memory broker: V8 heap growth after a full GC, per entry, with the info a token's
 *   `presence` claim typically carries (a name and an avatar URL);
 * - Redis: growth of `used_memory` per entry (its four keys per channel), when `redis-server`
 *   is on the PATH.
 * Each entry is its own member (one user, one connection): the costliest case, since a
 * user's further tabs add no member key.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { createMemoryBroker, type PresenceStore } from "@switchyard/server";

const count = Number(process.argv[2] ?? 20_000);
const channels = 10;
const info = (i: number) => ({ name: `User ${i}`, avatar: `https://cdn.example.com/a/${i}.png` });

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined)
    throw new Error("run with --expose-gc (node bench/presence-memory.mjs)");
  collect();
  collect();
}

async function fill(store: PresenceStore): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    const writes: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const entry = {
        clientId: `client-${j.toString(36).padStart(10, "0")}`,
        userId: `user-${j}`,
        info: info(j),
      };
      writes.push(store.set(`room:${j % channels}`, entry, 60_000));
    }
    await Promise.all(writes);
  }
}

async function memoryBroker(): Promise<number> {
  const broker = createMemoryBroker();
  await broker.start(() => {});
  gc();
  const before = process.memoryUsage().heapUsed;
  await fill(broker.presence);
  gc();
  const after = process.memoryUsage().heapUsed;
  const counted = await broker.presence.count("room:0");
  if (counted.connections !== count / channels) throw new Error("entries missing");
  await broker.close();
  return (after - before) / count;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function redis(): Promise<number | undefined> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await Promise.race([
      once(child, "spawn"),
      once(child, "error").then(([e]) => Promise.reject(e)),
    ]);
  } catch {
    return undefined;
  }
  try {
    const { createRedisBroker } = await import("@switchyard/redis");
    const { createClient } = await import("redis");
    const url = `redis://127.0.0.1:${port}`;
    const admin = createClient({ url });
    for (let tries = 0; ; tries++) {
      try {
        await admin.connect();
        break;
      } catch (error) {
        if (tries > 50) throw error;
        await delay(100);
      }
    }
    const broker = createRedisBroker({ url, prefix: "bench" });
    await broker.start(() => {});
    const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);
    const before = await used();
    await fill(broker.presence);
    const after = await used();
    await broker.close();
    await admin.close();
    return (after - before) / count;
  } finally {
    child.kill();
  }
}

const memory = await memoryBroker();
const onRedis = await redis();
console.log(`presence entries: ${count} on ${channels} channels, one member each, info ~70 bytes`);
console.log(`memory broker: ${Math.round(memory)} bytes per entry (V8 heap)`);
console.log(
  onRedis === undefined
    ? "redis: skipped (no redis-server on the PATH)"
    : `redis: ${Math.round(onRedis)} bytes per entry (used_memory)`,
);
