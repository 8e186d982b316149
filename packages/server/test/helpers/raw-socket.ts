import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { onCleanup } from "./fixtures.js";

/** The key of RFC 6455 §1.3's example handshake, and the accept value it must get. */
export const SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
export const SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/**
 * The text of an upgrade request: a valid opening handshake unless `headers` change it (a
 * header set to undefined is left out).
 */
export function upgradeRequest(
  headers: Record<string, string | undefined> = {},
  requestLine = "GET /ws HTTP/1.1",
): string {
  const all: Record<string, string | undefined> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": SAMPLE_KEY,
    ...headers,
  };
  let text = `${requestLine}\r\n`;
  for (const [name, value] of Object.entries(all))
    if (value !== undefined) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

/** One frame from the server. */
export interface ServerFrame {
  opcode: number;
  fin: boolean;
  /** Server frames must not be masked; recorded to check it. */
  masked: boolean;
  payload: Buffer;
}

/** The code and reason of a close frame's payload (code 1005 when it has none). */
export function closeOf(frame: ServerFrame): { code: number; reason: string } {
  if (frame.payload.length < 2) return { code: 1005, reason: "" };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
}

/**
 * A TCP client that speaks the opening handshake and WebSocket frames by hand, so tests can
 * send what no WebSocket library would and see every byte the server answers. Destroyed
 * after the test.
 */
export class RawSocket {
  /** Status code and lower-cased headers of the HTTP answer, once it arrived. */
  status = 0;
  readonly headers: Record<string, string> = {};
  /** The HTTP body after a refusal (the bytes after the headers of any non-101 answer). */
  body = "";
  readonly frames: ServerFrame[] = [];
  /** The server ended its side of the TCP connection. */
  ended = false;
  /** The TCP connection is fully gone. */
  closed = false;
  private pending = Buffer.alloc(0);
  private headRead = false;
  private nextFrameIndex = 0;
  private wake: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      this.parse();
      this.notify();
    });
    socket.on("end", () => {
      this.ended = true;
      this.notify();
    });
    socket.on("close", () => {
      this.closed = true;
      this.notify();
    });
    socket.on("error", () => {});
  }

  /** Connects to `port` and sends `request` (see {@link upgradeRequest}). */
  static async open(port: number, request: string | Buffer): Promise<RawSocket> {
    const socket = connect(port, "127.0.0.1");
    onCleanup(() => {
      socket.destroy();
    });
    const raw = new RawSocket(socket);
    await once(socket, "connect");
    socket.write(request);
    return raw;
  }

  /** Opens a WebSocket with a valid handshake and waits for the 101 answer. */
  static async upgrade(
    port: number,
    headers: Record<string, string | undefined> = {},
  ): Promise<RawSocket> {
    const raw = await RawSocket.open(port, upgradeRequest(headers));
    await raw.until(() => raw.headRead, "the handshake answer");
    if (raw.status !== 101) throw new Error(`upgrade refused with ${raw.status}: ${raw.body}`);
    return raw;
  }

  /** Waits for a refusal: the whole HTTP answer, up to the server closing the connection. */
  async refusal(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    await this.until(() => this.ended || this.closed, "the end of the answer");
    return { status: this.status, headers: this.headers, body: this.body };
  }

  /**
   * Waits for a whole HTTP answer that keeps the connection open: the headers and as many
   * body bytes as `Content-Length` says (none when `withBody` is false: the answer to a HEAD).
   */
  async answer(
    withBody = true,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const length = () => (withBody ? Number(this.headers["content-length"] ?? 0) : 0);
    const complete = () => this.headRead && Buffer.byteLength(this.body) >= length();
    await this.until(complete, "the whole answer");
    return { status: this.status, headers: this.headers, body: this.body };
  }

  /** The next frame from the server not returned yet. */
  async nextFrame(): Promise<ServerFrame> {
    await this.until(() => this.frames.length > this.nextFrameIndex, "a frame");
    return this.frames[this.nextFrameIndex++]!;
  }

  /** Waits until the server ended its side of TCP (or the connection is gone). */
  async serverEnded(): Promise<void> {
    await this.until(() => this.ended, "the server's FIN", true);
  }

  /** Waits until the TCP connection is fully closed. */
  async gone(): Promise<void> {
    await this.until(() => this.closed, "the close", true);
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Resolves once `done()` holds; rejects if the connection closes first (unless `atClose`). */
  async until(done: () => boolean, what: string, atClose = false): Promise<void> {
    while (!done()) {
      if (this.closed && !atClose) throw new Error(`The connection closed before ${what}`);
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const resolve of wake) resolve();
  }

  private parse(): void {
    if (!this.headRead) {
      const end = this.pending.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [statusLine = "", ...lines] = this.pending.subarray(0, end).toString().split("\r\n");
      this.status = Number(statusLine.split(" ")[1]);
      for (const line of lines) {
        const colon = line.indexOf(":");
        this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.pending = this.pending.subarray(end + 4);
      this.headRead = true;
    }
    if (this.status !== 101) {
      this.body += this.pending.toString();
      this.pending = Buffer.alloc(0);
      return;
    }
    for (;;) {
      const frame = this.readFrame();
      if (!frame) return;
      this.frames.push(frame);
    }
  }

  private readFrame(): ServerFrame | undefined {
    const bytes = this.pending;
    if (bytes.length < 2) return undefined;
    const first = bytes[0]!;
    const second = bytes[1]!;
    let length = second & 0x7f;
    let at = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = bytes.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      length = Number(bytes.readBigUInt64BE(2));
      at = 10;
    }
    const masked = (second & 0x80) !== 0;
    if (masked) at += 4;
    if (bytes.length < at + length) return undefined;
    this.pending = bytes.subarray(at + length);
    return {
      opcode: first & 0x0f,
      fin: (first & 0x80) !== 0,
      masked,
      payload: Buffer.from(bytes.subarray(at, at + length)),
    };
  }
}
