/**
 * WebSocket pings are frames like any other: they count against the connection's rate limit,
 * and their pongs against its queue cap. A client that floods pings and never reads is cut.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Hub } from "../src/index.js";
import {
  connected,
  OPEN_POLICY,
  type RawClient,
  startHub,
  useTransport,
} from "./helpers/fixtures.js";
import { nextHubEvent } from "./helpers/hub-events.js";
import { TRANSPORTS } from "./helpers/transport.js";

/** The largest payload a control frame may carry. */
const PING = Buffer.alloc(125, 0x70);

/**
 * Sends up to `count` pings from a client that does not read, in rounds of 1,000, until the
 * hub cuts it. Returns how many were sent and the largest `queuedBytes` the hub showed.
 */
async function floodPings(hub: Hub, client: RawClient, count: number) {
  const connect = await client.next((frame) => frame.type === "reply" && frame.id === 1);
  const { clientId } = connect.result as { clientId: string };
  const cut = () => !hub.clients().some((info) => info.clientId === clientId);
  client.ws.pause();
  let sent = 0;
  let peakQueued = 0;
  while (sent < count && !cut()) {
    for (let i = 0; i < 1_000; i++) client.ws.ping(PING);
    sent += 1_000;
    // Let the hub read what arrived before sampling.
    await nextTurn();
    peakQueued = Math.max(peakQueued, hub.stats().queuedBytes);
  }
  return { sent, peakQueued };
}

describe.each(TRANSPORTS)("a ping flood over the %s transport", (transport) => {
  useTransport(transport);

  it("is answered within the rate limit, then closed with rate_limited", async () => {
    const { url, hub } = await startHub({ ...OPEN_POLICY, limits: { rate: 100, burst: 200 } });
    const client = await connected(url);
    const gone = nextHubEvent(hub, "disconnect");
    let pongs = 0;
    client.ws.on("pong", () => pongs++);
    const { peakQueued } = await floodPings(hub, client, 200_000);
    client.ws.resume();
    expect(await client.waitClose()).toBe(4100);
    // The burst and its debt at most, plus what the rate refilled: never one pong per ping.
    expect(pongs).toBeLessThanOrEqual(400);
    expect(peakQueued).toBeLessThan(64 * 1024);
    expect((await gone).reason).toBe("rate_limited");
  });

  it("without a rate limit, is cut by the queue cap with slow_consumer", async () => {
    const queueBytes = 64 * 1024;
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      limits: { rate: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY, queueBytes },
    });
    const client = await connected(url);
    const { sent, peakQueued } = await floodPings(hub, client, 2_000_000);
    expect(sent).toBeLessThan(2_000_000);
    // What the hub held for the client never passed the cap (and one pong).
    expect(peakQueued).toBeLessThanOrEqual(queueBytes + PING.length + 2);
    client.ws.resume();
    expect(await client.waitClose()).toBe(4201);
    expect(hub.stats().queuedBytes).toBe(0);
  });
});
