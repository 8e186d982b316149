import { expect, it } from "vitest";
import { createMemoryBroker } from "../src/index.js";
import { connected, OPEN_POLICY, onCleanup, startHub } from "./helpers/fixtures.js";

it("a broker passed in outlives the hub, so a restarted hub recovers from its history", async () => {
  const broker = createMemoryBroker();
  onCleanup(() => broker.close());
  const first = await startHub({ ...OPEN_POLICY, broker });
  const client = await connected(first.url);
  const reply = await client.request({ type: "subscribe", channel: "feed:1" });
  const { epoch } = reply.result as { epoch: string };
  await first.hub.close({ timeout: 200 });
  expect(broker.ready()).toBe(true);
  await broker.publish({
    channel: "feed:1",
    event: "missed",
    data: 1,
    history: { size: 100, ttl: 60_000 },
  });

  const second = await startHub({ ...OPEN_POLICY, broker });
  const again = await connected(second.url);
  const recovered = await again.request({
    type: "subscribe",
    channel: "feed:1",
    since: { epoch, offset: 0 },
  });
  expect(recovered.result).toMatchObject({ recovered: true, epoch });
  const event = await again.next((f) => f.type === "event" && f.channel === "feed:1");
  expect(event).toMatchObject({ event: "missed", offset: 1 });
});
