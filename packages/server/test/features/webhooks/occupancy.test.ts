/**
 * `channel_occupied` and `channel_vacated` are cluster-wide: two hub nodes on one broker, each
 * with its own subscribers, report each change once, and a comeback within the grace reports
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { connected, startHub } from "../../helpers/fixtures.js";
import { memoryCluster } from "../jobs/helpers.js";
import { startReceiver } from "./receiver.js";

const OCCUPANCY = ["channel_occupied", "channel_vacated"] as const;

describe("channel occupancy webhooks", () => {
  it("reports occupied and vacated once for a channel shared by two nodes", async () => {
    const receiver = await startReceiver();
    const node = memoryCluster();
    const options = receiver.hubOptions({ events: [...OCCUPANCY], grace: 50 });
    const a = await startHub({ ...options, broker: node() });
    const b = await startHub({ ...options, broker: node() });
    const onA = await connected(a.url);
    const onB = await connected(b.url);
    await onA.request({ type: "subscribe", channel: "room:7" });
    const occupied = await receiver.event("channel_occupied");
    await onB.request({ type: "subscribe", channel: "room:7" });
    await onA.request({ type: "unsubscribe", channel: "room:7" });
    // a's grace runs out while b still holds the channel: nothing to report.
    await onB.request({ type: "unsubscribe", channel: "room:7" });
    const vacated = await receiver.event("channel_vacated");
    expect(occupied.data).toEqual({ channel: "room:7" });
    expect(vacated.data).toEqual({ channel: "room:7" });
    expect(occupied.node).not.toBe(vacated.node); // a saw it filled, b saw it emptied
    // A later change on another channel, so that anything wrongly reported before it is here.
    await onA.request({ type: "subscribe", channel: "room:8" });
    await receiver.event("channel_occupied", (e) => e.data.channel === "room:8");
    expect(
      receiver.accepted.map((e) => [e.type, "channel" in e.data ? e.data.channel : ""]),
    ).toEqual([
      ["channel_occupied", "room:7"],
      ["channel_vacated", "room:7"],
      ["channel_occupied", "room:8"],
    ]);
  });

  it("reports one occupied when both nodes fill an empty channel at once", async () => {
    const receiver = await startReceiver();
    const node = memoryCluster();
    const options = receiver.hubOptions({ events: [...OCCUPANCY], grace: 50 });
    const a = await startHub({ ...options, broker: node() });
    const b = await startHub({ ...options, broker: node() });
    const [onA, onB] = await Promise.all([connected(a.url), connected(b.url)]);
    await Promise.all([
      onA.request({ type: "subscribe", channel: "race" }),
      onB.request({ type: "subscribe", channel: "race" }),
    ]);
    await Promise.all([
      onA.request({ type: "unsubscribe", channel: "race" }),
      onB.request({ type: "unsubscribe", channel: "race" }),
    ]);
    await receiver.event("channel_vacated");
    expect(receiver.accepted.map((e) => e.type)).toEqual(["channel_occupied", "channel_vacated"]);
  });

  it("reports nothing when a channel's only subscriber comes back within the grace", async () => {
    const receiver = await startReceiver();
    const { url } = await startHub(receiver.hubOptions({ events: [...OCCUPANCY], grace: 200 }));
    const first = await connected(url);
    await first.request({ type: "subscribe", channel: "doc:1" });
    await receiver.event("channel_occupied");
    // A reload: the tab's connection goes, a new one subscribes again at once.
    first.ws.close(1000);
    await first.waitClose();
    const second = await connected(url);
    await second.request({ type: "subscribe", channel: "doc:1" });
    // Then a channel vacated for good: its grace ends after doc:1's would have.
    await second.request({ type: "subscribe", channel: "doc:2" });
    await second.request({ type: "unsubscribe", channel: "doc:2" });
    await receiver.event("channel_vacated");
    expect(
      receiver.accepted.map((e) => [e.type, "channel" in e.data ? e.data.channel : ""]),
    ).toEqual([
      ["channel_occupied", "doc:1"],
      ["channel_occupied", "doc:2"],
      ["channel_vacated", "doc:2"],
    ]);
  });

  it("vacates its channels at once when the hub closes", async () => {
    const receiver = await startReceiver();
    const { hub, url } = await startHub(
      receiver.hubOptions({ events: [...OCCUPANCY], grace: 60_000 }),
    );
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "live" });
    await receiver.event("channel_occupied");
    await hub.close({ timeout: 500 });
    expect(receiver.of("channel_vacated").map((e) => e.data.channel)).toEqual(["live"]);
  });
});
