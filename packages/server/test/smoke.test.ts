import { expect, it } from "vitest";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";

it("connects, subscribes and receives", async () => {
  const { url, hub } = await startHub(OPEN_POLICY);
  const a = await connected(url);
  const sub = await a.request({ type: "subscribe", channel: "news:1" });
  expect(sub.result).toMatchObject({ channel: "news:1", offset: 0 });
  await hub.publish("news:1", "hello", { n: 1 });
  const event = await a.next((f) => f.type === "event" && f.channel === "news:1");
  expect(event).toMatchObject({ event: "hello", data: { n: 1 }, offset: 1 });
});
