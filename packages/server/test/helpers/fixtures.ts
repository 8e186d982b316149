import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Codec, jsonCodec, msgpackCodec } from "@switchyard/protocol";
import { afterAll, afterEach, beforeAll } from "vitest";
import WebSocket from "ws";
import { createHub, type Hub, type HubOptions } from "../../src/index.js";

const disposers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** Registers cleanup that runs after the current test. */
export function onCleanup(dispose: () => Promise<void> | void): void {
  disposers.push(dispose);
}

/** The transport of the hubs {@link startHub} starts; the hub's default when undefined. */
let transportUnderTest: HubOptions["transport"];

/**
 * Runs the hubs that {@link startHub} starts in the enclosing `describe` block on `transport`,
 * so that one suite body can run once per transport.
 */
export function useTransport(transport: NonNullable<HubOptions["transport"]>): void {
  beforeAll(() => {
    transportUnderTest = transport;
  });
  afterAll(() => {
    transportUnderTest = undefined;
  });
}

export interface HubFixture {
  hub: Hub;
  server: Server;
  url: string;
  port: number;
}

/**
 * A real hub on a real http.Server on port 0, closed after the test. The server is embedded as
 * the hub's docs say: the hub answers plain requests for its path, the app (here a 404) the rest.
 */
export async function startHub(options: HubOptions = {}): Promise<HubFixture> {
  const hub = createHub({ transport: transportUnderTest, ...options });
  const server = createServer((request, response) => {
    if (hub.handleRequest(request, response)) return;
    response.statusCode = 404;
    response.end();
  });
  hub.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  onCleanup(async () => {
    await hub.close({ timeout: 500 });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { hub, server, port, url: `ws://127.0.0.1:${port}/ws` };
}

type Frame = Record<string, unknown> & { type: string };

/**
 * A raw WebSocket client that records every frame (batches flattened) and lets a test wait for
 * the frame it expects — no sleeps.
 */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly codec: Codec;
  closeCode: number | undefined;
  closeReason = "";
  private nextId = 1;
  private waiters: {
    test: (frame: Frame) => boolean;
    resolve: (frame: Frame) => void;
    reject: (error: Error) => void;
  }[] = [];
  private readonly closed: Promise<number>;
  /** Answer heartbeat pings automatically. */
  autoPong = true;

  constructor(
    url: string,
    options: {
      codec?: "json" | "msgpack";
      headers?: Record<string, string>;
      protocols?: string[];
    } = {},
  ) {
    this.codec = options.codec === "msgpack" ? msgpackCodec : jsonCodec;
    const protocols = options.protocols ?? (options.codec ? [this.codec.subprotocol] : undefined);
    this.ws = new WebSocket(url, protocols, { headers: options.headers });
    this.ws.on("message", (data: Buffer, binary: boolean) => {
      const decoded = this.codec.decode(binary ? new Uint8Array(data) : data.toString());
      for (const frame of (Array.isArray(decoded) ? decoded : [decoded]) as Frame[])
        this.receive(frame);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code: number, reason: Buffer) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
        // Nothing more will come: a test waiting for a frame fails now, saying why, rather
        // than at its timeout.
        const error = new Error(`the connection closed (${code} ${this.closeReason}) first`);
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
      });
    });
    this.ws.on("error", () => {});
    onCleanup(() => this.ws.terminate());
  }

  private receive(frame: Frame): void {
    if (frame.type === "ping" && frame.id === undefined && this.autoPong)
      this.send({ type: "pong" });
    this.frames.push(frame);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test(frame)) return true;
      waiter.resolve(frame);
      return false;
    });
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, "open");
    return this;
  }

  send(value: unknown): void {
    const encoded = this.codec.encode(value);
    this.ws.send(encoded, { binary: this.codec.binary });
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Resolves with the first frame (already received or future) that passes `test`. */
  next(test: (frame: Frame) => boolean, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    if (this.closeCode !== undefined) {
      return Promise.reject(new Error(`the connection closed (${this.closeCode}) first`));
    }
    return new Promise((resolve, reject) => this.waiters.push({ test, resolve, reject }));
  }

  /** Sends a request with a fresh id and resolves with its reply. */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const id = this.nextId++;
    this.send({ ...frame, id });
    return this.next((reply) => reply.type === "reply" && reply.id === id);
  }

  /** Connects (the first frame) and returns the connect result. */
  async connect(fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    await this.open();
    const reply = await this.request({ type: "connect", ...fields });
    if (reply.error) throw new Error(`connect failed: ${JSON.stringify(reply.error)}`);
    return reply.result as Record<string, unknown>;
  }

  events(channel?: string): Frame[] {
    return this.frames.filter(
      (f) => f.type === "event" && (channel === undefined || f.channel === channel),
    );
  }

  /** Resolves with the close code once the server closed the socket. */
  waitClose(): Promise<number> {
    return this.closed;
  }
}

/** Opens a raw client, connects, and returns it. */
export async function connected(
  url: string,
  fields: Record<string, unknown> = {},
  options: ConstructorParameters<typeof RawClient>[1] = {},
): Promise<RawClient> {
  const client = new RawClient(url, options);
  await client.connect(fields);
  return client;
}

/** An open hub for tests: anonymous clients may subscribe and publish anywhere. */
export const OPEN_POLICY: HubOptions = {
  allowAnonymous: true,
  defaultNamespace: { subscribe: "anyone", publish: "anyone" },
};
