import { once } from "node:events";
import { connect, type Socket } from "node:net";
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

/**
 * A WebSocket client on a bare TCP socket that connects and then never answers the hub's
 * close frame, like a peer behind a stalled link: a draining hub has to wait for it (up to the
 * transport's close timeout) until the test calls `end`.
 */
export class StalledClient {
  /** Resolves once the hub's close frame arrived, with its close code. */
  readonly closeFrame: Promise<number>;
  private received = Buffer.alloc(0);
  private headerRead = false;
  private onCloseFrame: (code: number) => void = () => {};
  private onText: () => void = () => {};

  private constructor(private readonly socket: Socket) {
    this.closeFrame = new Promise((resolve) => {
      this.onCloseFrame = resolve;
    });
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.read();
    });
    onCleanup(() => socket.destroy());
  }

  /** Opens the WebSocket at `wsUrl`, sends the connect frame and waits for its reply. */
  static async open(wsUrl: string): Promise<StalledClient> {
    const url = new URL(wsUrl);
    const socket = connect(Number(url.port), url.hostname);
    const client = new StalledClient(socket);
    await once(socket, "connect");
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    const replied = new Promise<void>((resolve) => {
      client.onText = resolve;
    });
    socket.write(maskedText(JSON.stringify({ type: "connect", id: 1 })));
    await replied;
    return client;
  }

  /** Goes away without a closing handshake. */
  end(): void {
    this.socket.destroy();
  }

  private read(): void {
    if (!this.headerRead) {
      const end = this.received.indexOf("\r\n\r\n");
      if (end === -1) return;
      this.received = this.received.subarray(end + 4);
      this.headerRead = true;
    }
    // Server frames are unmasked; this client only needs their opcode and length.
    while (this.received.length >= 2) {
      const opcode = (this.received[0] ?? 0) & 0x0f;
      let length = (this.received[1] ?? 0) & 0x7f;
      let at = 2;
      if (length === 126) {
        if (this.received.length < 4) return;
        length = this.received.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (this.received.length < 10) return;
        length = Number(this.received.readBigUInt64BE(2));
        at = 10;
      }
      if (this.received.length < at + length) return;
      const payload = this.received.subarray(at, at + length);
      this.received = this.received.subarray(at + length);
      if (opcode === 0x1) this.onText();
      if (opcode === 0x8) this.onCloseFrame(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
    }
  }
}

/** A client text frame: masked, as RFC 6455 requires (with the all-zero mask key). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError("a short frame only");
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** The HTTP status and error code of a WebSocket upgrade the server refused. */
export function refusedUpgrade(wsUrl: string): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    ws.on("error", () => {});
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    ws.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        const code = (JSON.parse(body) as { error: { code: unknown } }).error.code;
        resolve({ status: response.statusCode ?? 0, code });
      });
    });
  });
}
