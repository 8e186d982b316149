import { once } from "node:events";
import { afterEach } from "vitest";
import WebSocket from "ws";

const disposers: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** Runs `dispose` after the current test (last registered, first run). */
export function onCleanup(dispose: () => Promise<unknown> | unknown): void {
  disposers.push(dispose);
}

type Frame = Record<string, unknown> & { type: string };

/**
 * A raw WebSocket client speaking the JSON protocol: flattens batched frames, answers server
 * pings, and lets a test wait for the frame it expects.
 */
export class WsClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<number>;
  private nextId = 1;
  private waiters: { test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("error", () => {});
    this.ws.on("message", (data: Buffer) => {
      const decoded = JSON.parse(data.toString()) as Frame | Frame[];
      for (const frame of Array.isArray(decoded) ? decoded : [decoded]) this.receive(frame);
    });
    this.closed = new Promise((resolve) => this.ws.on("close", (code: number) => resolve(code)));
    onCleanup(() => this.ws.terminate());
  }

  private receive(frame: Frame): void {
    if (frame.type === "ping" && frame.id === undefined) this.ws.send('{"type":"pong"}');
    this.frames.push(frame);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test(frame)) return true;
      waiter.resolve(frame);
      return false;
    });
  }

  /** The first frame, received or future, that passes `test`. */
  next(test: (frame: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** Sends a request with a fresh id and resolves with its result (rejects on an error). */
  async request(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, "open");
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ ...frame, id }));
    const reply = await this.next((f) => f.type === "reply" && f.id === id);
    if (reply.error !== undefined)
      throw new Error(`request failed: ${JSON.stringify(reply.error)}`);
    return reply.result as Record<string, unknown>;
  }
}

/** Opens a client, sends the connect frame and subscribes to `channels`. */
export async function subscriber(url: string, ...channels: string[]): Promise<WsClient> {
  const client = new WsClient(url);
  await client.request({ type: "connect" });
  for (const channel of channels) await client.request({ type: "subscribe", channel });
  return client;
}
