import { expect, it } from "vitest";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";

const BIG = "x".repeat(16 * 1024);

it("conflates only the listed events, keeps the others and the offset order", async () => {
  const { url, hub } = await startHub({
    ...OPEN_POLICY,
    namespaces: { task: { subscribe: "anyone", conflate: ["progress"] } },
  });
  const sleeper = await connected(url);
  const reply = await sleeper.request({ type: "subscribe", channel: "task:1" });
  expect(reply.result).toMatchObject({ conflated: true });
  sleeper.ws.pause();
  // Enough progress to back the socket up, with a chunk after every tenth progress.
  let chunks = 0;
  for (let i = 1; i <= 400; i++) {
    await hub.publish("task:1", "progress", { i, pad: BIG });
    if (i % 10 === 0) await hub.publish("task:1", "chunk", { index: chunks++ });
  }
  expect(hub.stats().queuedBytes).toBeLessThan(64 * 1024);
  sleeper.ws.resume();
  await sleeper.next((f) => f.type === "event" && (f.data as { i?: number }).i === 400);
  const events = sleeper.events("task:1");
  const offsets = events.map((e) => e.offset as number);
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  const gotChunks = events
    .filter((e) => e.event === "chunk")
    .map((e) => (e.data as { index: number }).index);
  expect(gotChunks).toEqual(Array.from({ length: 40 }, (_, i) => i));
  const progress = events.filter((e) => e.event === "progress");
  expect(progress.length).toBeLessThan(400);
  expect(sleeper.closeCode).toBeUndefined();
});
