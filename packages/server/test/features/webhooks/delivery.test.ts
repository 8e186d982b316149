/**
 * Delivery of webhook batches to a real HTTP receiver: at least once with the same event ids
 * despite failures, batched by size and window, retried for a bounded time then dropped with a
 * figure and a log line, a bounded queue, only the configured types, flushed on close.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createHub, type Logger } from "../../../src/index.js";
import { connected, onCleanup, startHub } from "../../helpers/fixtures.js";
import { SECRET, startReceiver } from "./receiver.js";

/** A logger that resolves `dropped` at the first "webhook events dropped" line. */
function droppedLogger() {
  const noop = () => {};
  const lines: Record<string, unknown>[] = [];
  let resolve: () => void = noop;
  const dropped = new Promise<void>((r) => {
    resolve = r;
  });
  const logger: Logger = {
    debug: noop,
    info: noop,
    warn: noop,
    error: (fields, message) => {
      if (message !== "webhook events dropped") return;
      lines.push(fields as Record<string, unknown>);
      resolve();
    },
  };
  return { logger, lines, dropped };
}

const webhookStats = (hub: { stats(): { features: Record<string, Record<string, number>> } }) =>
  hub.stats().features.webhooks;

describe("webhook delivery", () => {
  it("delivers each event once per id to a backend that answers 500 twice, then 200", async () => {
    const receiver = await startReceiver([500, 500]);
    const { hub, url } = await startHub(receiver.hubOptions({ concurrency: 1 }));
    const client = await connected(url);
    client.ws.close(1000);
    await receiver.event("disconnected");
    const [first, second, third] = receiver.requests;
    expect([first?.status, second?.status, third?.status]).toEqual([500, 500, 200]);
    // The same batch each time: the same body, so the same event ids, signed anew.
    expect(second?.body).toBe(first?.body);
    expect(third?.body).toBe(first?.body);
    expect(receiver.requests.every((request) => request.verified)).toBe(true);
    const ids = receiver.accepted.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.accepted.map((event) => event.type)).toEqual(["connected", "disconnected"]);
    await hub.webhooks?.flush();
    expect(webhookStats(hub)).toEqual({ sent: 2, retried: 2, dropped: 0, queued: 0 });
  });

  it("sends a full batch at once, and a partial one when its window ends", async () => {
    const receiver = await startReceiver();
    // A window far longer than the test: the first request can only be the size's doing.
    const { hub, url } = await startHub(
      receiver.hubOptions({ batch: { size: 3, window: 60_000 }, events: ["connected"] }),
    );
    await Promise.all([connected(url), connected(url), connected(url)]);
    await receiver.until(() => receiver.requests.length === 1);
    expect(receiver.requests[0]?.events.map((event) => event.type)).toEqual([
      "connected",
      "connected",
      "connected",
    ]);
    const ids = receiver.requests[0]?.events.map((event) => event.id) ?? [];
    expect([...ids].sort()).toEqual(ids);

    const { url: quickUrl } = await startHub(
      receiver.hubOptions({ batch: { size: 3, window: 10 }, events: ["connected"] }),
    );
    await connected(quickUrl);
    await receiver.until(() => receiver.requests.length === 2);
    expect(receiver.requests[1]?.events).toHaveLength(1);
    await hub.webhooks?.flush();
    expect(webhookStats(hub)?.sent).toBe(3);
  });

  it("drops a batch after retrying for retry.maxTime, with a figure and a log line", async () => {
    const receiver = await startReceiver(Array(1000).fill(503));
    const { logger, lines, dropped } = droppedLogger();
    const { hub, url } = await startHub({
      ...receiver.hubOptions({
        retry: { initialDelay: 5, maxDelay: 20, maxTime: 150 },
        closeTimeout: 0,
      }),
      logger,
    });
    await connected(url);
    await dropped;
    expect(receiver.requests.length).toBeGreaterThan(1);
    expect(receiver.requests.every((request) => request.status === 503)).toBe(true);
    expect(lines[0]).toMatchObject({ dropped: 1, reason: "retries ran out: status 503" });
    expect(webhookStats(hub)).toMatchObject({ sent: 0, dropped: 1, queued: 0 });
    expect(webhookStats(hub)?.retried).toBe(receiver.requests.length - 1);
  });

  it("drops new events while the queue is full", async () => {
    const receiver = await startReceiver(Array(1000).fill(500));
    const { logger, lines, dropped } = droppedLogger();
    const { hub, url } = await startHub({
      ...receiver.hubOptions({
        maxQueue: 1,
        batch: { size: 1, window: 0 },
        events: ["connected"],
        closeTimeout: 0,
      }),
      logger,
    });
    await connected(url); // its event waits in retries, filling the queue
    await receiver.until(() => receiver.requests.length > 0);
    await connected(url);
    await dropped;
    expect(lines[0]).toMatchObject({ dropped: 1, reason: "the webhook queue is full" });
    expect(webhookStats(hub)).toMatchObject({ dropped: 1, queued: 1 });
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    // A backend that holds each request until a second one is waiting, then answers both.
    let inFlight = 0;
    let most = 0;
    let delivered = 0;
    const held: (() => void)[] = [];
    let allDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const server = createServer(async (request, response) => {
      for await (const _ of request);
      inFlight++;
      most = Math.max(most, inFlight);
      held.push(() => {
        inFlight--;
        response.end();
        delivered++;
        if (delivered === 6) allDone();
      });
      if (held.length < 2) return;
      setImmediate(() => {
        for (const answer of held.splice(0)) answer();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const { url } = await startHub({
      allowAnonymous: true,
      webhooks: {
        url: `http://127.0.0.1:${port}/`,
        secret: SECRET,
        events: ["connected"],
        batch: { size: 1, window: 0 },
        concurrency: 2,
      },
    });
    await Promise.all(Array.from({ length: 6 }, () => connected(url)));
    await done;
    expect(most).toBe(2);
  });

  it("sends only the event types asked for", async () => {
    const receiver = await startReceiver();
    const { url } = await startHub(receiver.hubOptions({ events: ["disconnected"] }));
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "news" });
    client.ws.close(1000);
    await receiver.event("disconnected");
    expect(receiver.accepted.map((event) => event.type)).toEqual(["disconnected"]);
  });

  it("delivers the events of a closing hub before hub.close() resolves", async () => {
    const receiver = await startReceiver();
    const { hub, url } = await startHub(
      receiver.hubOptions({ batch: { size: 100, window: 60_000 } }),
    );
    await connected(url);
    await hub.close({ timeout: 1_000 });
    expect(
      receiver.accepted.map((event) => [
        event.type,
        "reason" in event.data ? event.data.reason : undefined,
      ]),
    ).toEqual([
      ["connected", undefined],
      ["disconnected", "server_shutting_down"],
    ]);
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const base = { url: "http://127.0.0.1:1/hooks", secret: SECRET };
    expect(() => createHub({ webhooks: { ...base, url: "ftp://x" } })).toThrow(/webhooks.url/);
    expect(() => createHub({ webhooks: { ...base, secret: [] } })).toThrow(/webhooks.secret/);
    expect(() =>
      createHub({ webhooks: { ...base, events: ["connected", "exploded" as "connected"] } }),
    ).toThrow(/exploded/);
    expect(() => createHub({ webhooks: { ...base, batch: { size: 0 } } })).toThrow(
      /webhooks.batch.size/,
    );
    expect(() => createHub({ webhooks: { ...base, retry: { maxTime: -1 } } })).toThrow(
      /webhooks.retry.maxTime/,
    );
  });
});
