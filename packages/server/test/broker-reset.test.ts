import { expect, it } from "vitest";
import { type Broker, type BrokerHooks, createMemoryBroker } from "../src/index.js";
import { connected, OPEN_POLICY, onCleanup, startHub } from "./helpers/fixtures.js";

/** A memory broker that lets the test play a broker reporting a reset. */
function resettable(): { broker: Broker; reset: (channels: string[]) => void } {
  const inner = createMemoryBroker();
  onCleanup(() => inner.close());
  let hooks: BrokerHooks | undefined;
  const broker: Broker = Object.create(inner, {
    start: {
      value: (deliver: Parameters<Broker["start"]>[0], given?: BrokerHooks) => {
        hooks = given;
        return inner.start(deliver, given);
      },
    },
  });
  return { broker, reset: (channels) => hooks?.onReset?.(channels) };
}

it("closes the subscribers of a reset channel with broker_reset (reconnect now), only them", async () => {
  const { broker, reset } = resettable();
  const { url, hub } = await startHub({ ...OPEN_POLICY, broker });
  const affected = await connected(url);
  await affected.request({ type: "subscribe", channel: "feed:a" });
  const bystander = await connected(url);
  await bystander.request({ type: "subscribe", channel: "feed:b" });

  reset(["feed:a", "feed:unknown"]);
  expect(await affected.waitClose()).toBe(4204);
  await hub.publish("feed:b", "still", 1);
  expect(await bystander.next((f) => f.type === "event" && f.channel === "feed:b")).toMatchObject({
    data: 1,
  });
  expect(bystander.closeCode).toBeUndefined();
});
