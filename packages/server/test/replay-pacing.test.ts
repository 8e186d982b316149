import { expect, it } from "vitest";
import { connected, startHub } from "./helpers/fixtures.js";

it("replays a history larger than the queue cap in full, paced, without cutting the client off", async () => {
  const queueBytes = 256 * 1024;
  const { url, hub } = await startHub({
    allowAnonymous: true,
    limits: { queueBytes },
    namespaces: { feed: { subscribe: "anyone", history: { size: 5000 } } },
  });
  const first = await connected(url);
  const reply = await first.request({ type: "subscribe", channel: "feed:big" });
  const { epoch } = reply.result as { epoch: string };
  first.ws.close();
  const pad = "p".repeat(1024);
  for (let i = 1; i <= 2000; i++) await hub.publish("feed:big", "item", { i, pad });

  const client = await connected(url);
  let peak = 0;
  let sampling = true;
  const sample = () => {
    peak = Math.max(peak, hub.stats().queuedBytes);
    if (sampling) setImmediate(sample);
  };
  sample();
  const resumed = await client.request({
    type: "subscribe",
    channel: "feed:big",
    since: { epoch, offset: 0 },
  });
  expect(resumed.result).toMatchObject({ recovered: true });
  // A live event published during the replay comes after all replayed ones.
  await hub.publish("feed:big", "item", { i: 2001, pad });
  await client.next((f) => f.type === "event" && (f.data as { i: number }).i === 2001);
  sampling = false;
  const offsets = client.events("feed:big").map((f) => f.offset);
  expect(offsets).toEqual(Array.from({ length: 2001 }, (_, k) => k + 1));
  expect(client.closeCode).toBeUndefined();
  expect(peak).toBeLessThanOrEqual(queueBytes);
});
