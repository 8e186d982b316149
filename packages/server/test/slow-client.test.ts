import { describe, expect, it } from "vitest";
import type { DisconnectInfo, Hub, HubOptions } from "../src/index.js";
import {
  connected,
  OPEN_POLICY,
  type RawClient,
  startHub,
  useTransport,
} from "./helpers/fixtures.js";
import { offsetsOf, range, untilOffset } from "./helpers/streams.js";
import { TRANSPORTS } from "./helpers/transport.js";

const CHANNEL = "feed:1";
/** About 10 KB of event data. */
const PAYLOAD = "x".repeat(10_000);
/** The default client queue limit. */
const MiB = 1_048_576;
/** One event frame on the wire is the payload plus a little JSON around it. */
const FRAME_SLACK = 1_000;

interface Flood {
  /** Offset of the last event published. */
  last: number;
  /** Largest `hub.stats().queuedBytes` sampled while flooding. */
  peakQueued: number;
}

/**
 * Publishes `count` ~10 KB events in bursts of `burst`, sampling the hub's queued bytes after
 * every publish. Before each burst it waits until `reader` (a client that reads normally) got
 * everything so far: the flood outpaces only the client that does not read, and the reader's
 * own queue holds at most one burst (one frame with `burst: 1`).
 */
async function flood(
  hub: Hub,
  reader: RawClient,
  options: { count: number; burst: number; channel?: string },
): Promise<Flood> {
  const channel = options.channel ?? CHANNEL;
  let last = 0;
  let peakQueued = 0;
  for (let seq = 1; seq <= options.count; seq++) {
    const result = await hub.publish(channel, "chunk", { seq, payload: PAYLOAD });
    last = result.offset ?? seq;
    peakQueued = Math.max(peakQueued, hub.stats().queuedBytes);
    if (seq % options.burst === 0) {
      await untilOffset(reader, channel, last);
      peakQueued = Math.max(peakQueued, hub.stats().queuedBytes);
    }
  }
  await untilOffset(reader, channel, last);
  return { last, peakQueued };
}

async function subscribed(url: string, channel = CHANNEL): Promise<RawClient> {
  const client = await connected(url);
  const reply = await client.request({ type: "subscribe", channel });
  expect(reply.error).toBeUndefined();
  return client;
}

/** Resolves with the disconnect of `client` reported by the hub. */
function disconnectOf(hub: Hub, clientId: () => string): Promise<DisconnectInfo> {
  return new Promise((resolve) => {
    hub.on("disconnect", (info) => {
      if (info.client.clientId === clientId()) resolve(info);
    });
  });
}

async function clientIdOf(client: RawClient): Promise<string> {
  const reply = await client.next((frame) => frame.type === "reply" && frame.id === 1);
  return (reply.result as { clientId: string }).clientId;
}

describe.each(TRANSPORTS)("over the %s transport", (transport) => {
  useTransport(transport);

  describe("a client that does not read", () => {
    it("is closed with slow_consumer while the others get every event", async () => {
      const { url, hub } = await startHub(OPEN_POLICY);
      const reader = await subscribed(url);
      const sleeper = await subscribed(url);
      const sleeperId = await clientIdOf(sleeper);
      const gone = disconnectOf(hub, () => sleeperId);
      sleeper.ws.pause(); // stops reading from the socket: the kernel buffers fill up

      const { last, peakQueued } = await flood(hub, reader, { count: 1_500, burst: 1 });

      expect(peakQueued).toBeGreaterThan(0);
      expect(peakQueued).toBeLessThanOrEqual(MiB + PAYLOAD.length + FRAME_SLACK);
      expect(offsetsOf(reader, CHANNEL)).toEqual(range(1, last));
      expect(hub.stats().connections).toBeGreaterThanOrEqual(1);

      // Waking up, the sleeper reads what reached it, then the close frame: it learns why.
      sleeper.ws.resume();
      expect(await sleeper.waitClose()).toBe(4201);
      const info = await gone;
      expect(info.reason).toBe("slow_consumer");
      // Whatever it got is a gap-free prefix: it recovers the rest from history.
      const got = offsetsOf(sleeper, CHANNEL);
      expect(got).toEqual(range(1, got.length));
      expect(got.length).toBeLessThan(last);
      expect(hub.stats().queuedBytes).toBe(0);
    });

    it("is closed sooner under a smaller queue limit", async () => {
      const queueBytes = 64 * 1024;
      const options: HubOptions = { ...OPEN_POLICY, limits: { queueBytes } };
      const { url, hub } = await startHub(options);
      const reader = await subscribed(url);
      const sleeper = await subscribed(url);
      const sleeperId = await clientIdOf(sleeper);
      const gone = disconnectOf(hub, () => sleeperId);
      sleeper.ws.pause();

      const { last, peakQueued } = await flood(hub, reader, { count: 1_000, burst: 1 });

      expect(peakQueued).toBeGreaterThan(0);
      expect(peakQueued).toBeLessThanOrEqual(queueBytes + PAYLOAD.length + FRAME_SLACK);
      expect(offsetsOf(reader, CHANNEL)).toEqual(range(1, last));
      sleeper.ws.resume();
      expect(await sleeper.waitClose()).toBe(4201);
      expect((await gone).reason).toBe("slow_consumer");
      expect(reader.closeCode).toBeUndefined();
    });

    it("learns why even when it sleeps past the close grace", async () => {
      const { url, hub } = await startHub({ ...OPEN_POLICY, limits: { queueBytes: 64 * 1024 } });
      const reader = await subscribed(url);
      const sleeper = await subscribed(url);
      const sleeperId = await clientIdOf(sleeper);
      sleeper.ws.pause();
      await flood(hub, reader, { count: 1_000, burst: 1 });
      // Cut: the hub no longer counts it among its clients, and wrote its close frame behind
      // the bytes the sleeper has not read.
      expect(hub.clients().map((client) => client.clientId)).not.toContain(sleeperId);

      // The sleeper stays asleep longer than the 3 s a peer gets to answer a close frame that
      // has left the hub; this one could not leave, so the hub keeps waiting for it.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      sleeper.ws.resume();
      expect(await sleeper.waitClose()).toBe(4201);
      expect(hub.stats().queuedBytes).toBe(0);
    });
  });

  describe("a client that does not read, on a conflated channel", () => {
    const CONFLATED: HubOptions = {
      ...OPEN_POLICY,
      namespaces: { progress: { subscribe: "anyone", conflate: true } },
    };
    const PROGRESS = "progress:1";

    it("stays connected, keeps a bounded queue and gets the latest value when it reads", async () => {
      const { url, hub } = await startHub(CONFLATED);
      const reader = await subscribed(url, PROGRESS);
      const sleeper = await subscribed(url, PROGRESS);
      const sleeperId = await clientIdOf(sleeper);
      const subscribe = sleeper.frames.find((frame) => frame.type === "reply" && frame.id === 2);
      expect(subscribe?.result).toMatchObject({ conflated: true });
      let disconnected = false;
      hub.on("disconnect", (info) => {
        if (info.client.clientId === sleeperId) disconnected = true;
      });
      sleeper.ws.pause();

      const { last, peakQueued } = await flood(hub, reader, {
        count: 1_500,
        burst: 20,
        channel: PROGRESS,
      });

      // At most one pending value per client and channel: the reader's and the sleeper's.
      expect(peakQueued).toBeLessThanOrEqual(2 * (PAYLOAD.length + FRAME_SLACK));
      expect(disconnected).toBe(false);
      expect(hub.clients().map((client) => client.clientId)).toContain(sleeperId);

      sleeper.ws.resume();
      const latest = await sleeper.next(
        (frame) => frame.type === "event" && (frame.data as { seq: number }).seq === last,
      );
      expect(latest.offset).toBe(last);
      const got = offsetsOf(sleeper, PROGRESS);
      // In order, nothing twice, the newest last; superseded values were dropped.
      expect(got).toEqual([...new Set(got)].sort((a, b) => a - b));
      expect(got.at(-1)).toBe(last);
      expect(got.length).toBeLessThan(last);
      expect(sleeper.closeCode).toBeUndefined();
      expect(disconnected).toBe(false);

      // Once it reads again it is an ordinary subscriber: the next value arrives.
      await hub.publish(PROGRESS, "chunk", { seq: last + 1, payload: "" });
      await untilOffset(sleeper, PROGRESS, last + 1);
    });
  });
});
