/**
 * Client-to-server WebSocket frames (RFC 6455 §5): an incremental reader that takes the bytes
 * of one connection in chunks cut anywhere (one byte at a time works) and reports whole
 * messages, pings and the close frame.
 *
 * The reader keeps its state in a few number fields and no buffer at all between messages,
 * and it is a base class rather than a member so that a socket wrapper that extends it is one
 * object per connection. A message that arrives in one frame inside one chunk (nearly every
 * message) is unmasked in place and handed over as a view of the chunk, without a copy; a
 * message split across chunks or frames is unmasked straight into one buffer of its own.
 */
import { isUtf8 } from "node:buffer";

/** Close codes of protocol violations (RFC 6455 §7.4.1). */
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_INVALID_DATA = 1007;
const CLOSE_TOO_BIG = 1009;
/** The code reported for a close frame without a code (RFC 6455 §7.1.5); never sent. */
export const CLOSE_NO_CODE = 1005;

const FIN = 0x80;
const RSV = 0x70;
const OPCODE = 0x0f;
const MASKED = 0x80;
const LENGTH = 0x7f;

const CONTINUATION = 0x0;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
/** Opcodes from here up are control frames. */
const CONTROL = 0x8;
/** Largest payload of a control frame. */
const MAX_CONTROL = 125;

const HEADER = 0;
const PAYLOAD = 1;
const DONE = 2;

const EMPTY = Buffer.alloc(0);
/** The least a message put together from pieces starts with (most messages are smaller). */
const MIN_ASSEMBLY = 4096;

/**
 * True for the close codes a peer may send (RFC 6455 §7.4, IANA registry): 1004–1006 and 1015
 * are reserved, 1016–2999 unassigned, 3000–4999 for libraries and applications.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * XORs `count` bytes of `source` from `sourceAt` with the mask, starting at byte `offset` of
 * the payload, into `target` at `targetAt` (the same buffer and position unmask in place).
 */
export function unmask(
  target: Uint8Array,
  targetAt: number,
  source: Uint8Array,
  sourceAt: number,
  count: number,
  mask: number,
  offset: number,
): void {
  // Rotate the mask so that its byte for payload position `offset` comes first.
  const shift = (offset & 3) * 8;
  const rotated = shift === 0 ? mask : (mask << shift) | (mask >>> (32 - shift));
  const m0 = rotated >>> 24;
  const m1 = (rotated >>> 16) & 0xff;
  const m2 = (rotated >>> 8) & 0xff;
  const m3 = rotated & 0xff;
  let i = 0;
  for (; i + 3 < count; i += 4) {
    target[targetAt + i] = source[sourceAt + i]! ^ m0;
    target[targetAt + i + 1] = source[sourceAt + i + 1]! ^ m1;
    target[targetAt + i + 2] = source[sourceAt + i + 2]! ^ m2;
    target[targetAt + i + 3] = source[sourceAt + i + 3]! ^ m3;
  }
  if (i < count) target[targetAt + i] = source[sourceAt + i]! ^ m0;
  if (i + 1 < count) target[targetAt + i + 1] = source[sourceAt + i + 1]! ^ m1;
  if (i + 2 < count) target[targetAt + i + 2] = source[sourceAt + i + 2]! ^ m2;
}

/**
 * Reads the frames a client sends. Subclasses receive what it finds through the `on…`
 * methods. After a close frame or a protocol error it reads nothing more.
 */
export abstract class FrameReader {
  /** HEADER, PAYLOAD or DONE. */
  private phase = HEADER;
  /** Header bytes of the current frame read so far. */
  private headerRead = 0;
  /** The first two header bytes (FIN, RSV, opcode; MASK, 7-bit length) as one number. */
  private head = 0;
  /** Payload length of the current frame. */
  private frameLength = 0;
  /** Payload bytes of the current frame read so far. */
  private frameRead = 0;
  /** The 4-byte masking key, big-endian. */
  private mask = 0;
  /** Opcode (text or binary) of the fragmented message in progress, 0 when there is none. */
  private messageOpcode = 0;
  /** Bytes of the message in progress written to `assembly`. */
  private assembled = 0;
  /** Where a message split across frames or chunks is put together; only while one is. */
  private assembly: Buffer | undefined = undefined;
  /** Where a control frame split across chunks is put together; only while one is. */
  private controlPayload: Buffer | undefined = undefined;

  /** Largest message accepted, the sum of its fragments; larger ones fail with 1009. */
  protected abstract readonly maxPayload: number;

  /** A complete message: valid UTF-8 when it is text. `data` may be a view of a chunk. */
  protected abstract onMessage(data: Buffer, binary: boolean): void;
  /** A ping, to be answered with a pong carrying the same `payload`. */
  protected abstract onPing(payload: Buffer): void;
  /** The peer's close frame: its code (1005 when it had none) and reason (valid UTF-8). */
  protected abstract onClose(code: number, reason: Buffer): void;
  /** A protocol violation: the connection must be closed with `code` (1002, 1007, 1009). */
  protected abstract onProtocolError(code: number, reason: string): void;

  /** Reads the next bytes of the connection. */
  read(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.phase !== DONE) {
      at = this.phase === HEADER ? this.readHeader(chunk, at) : this.readPayload(chunk, at);
    }
  }

  /** Stops reading for good (the socket is closing) and lets go of partial messages. */
  protected stopReading(): void {
    this.phase = DONE;
    this.assembly = undefined;
    this.controlPayload = undefined;
  }

  /** Reads header bytes from `at` on; returns where it stopped. */
  private readHeader(chunk: Buffer, at: number): number {
    while (at < chunk.length) {
      const byte = chunk[at++]!;
      const index = this.headerRead++;
      if (index === 0) {
        this.head = byte << 8;
        const problem = this.checkFirstByte(byte);
        if (problem !== undefined) return this.fail(CLOSE_PROTOCOL_ERROR, problem);
        continue;
      }
      if (index === 1) {
        this.head |= byte;
        if ((byte & MASKED) === 0) {
          return this.fail(CLOSE_PROTOCOL_ERROR, "Client frames must be masked");
        }
        const length = byte & LENGTH;
        if (this.opcode >= CONTROL && length > MAX_CONTROL) {
          return this.fail(CLOSE_PROTOCOL_ERROR, "A control frame carries at most 125 bytes");
        }
        this.frameLength = length < 126 ? length : 0;
        if (length < 126 && this.tooBig()) return this.fail(CLOSE_TOO_BIG, "Message too big");
        continue;
      }
      const extended = this.extendedLengthBytes();
      if (index < 2 + extended) {
        // Multiplying keeps 64-bit lengths exact up to 2^53; anything near that is too big.
        this.frameLength = this.frameLength * 256 + byte;
        if (index === 1 + extended && this.tooBig()) {
          return this.fail(CLOSE_TOO_BIG, "Message too big");
        }
        continue;
      }
      this.mask = (this.mask << 8) | byte;
      if (index === 5 + extended) {
        this.headerRead = 0;
        this.frameRead = 0;
        if (this.frameLength > 0) this.phase = PAYLOAD;
        else this.endFrame(EMPTY);
        return at;
      }
    }
    return at;
  }

  /** Why the first header byte is not acceptable here, or undefined. */
  private checkFirstByte(byte: number): string | undefined {
    if ((byte & RSV) !== 0) return "RSV1, RSV2 and RSV3 must be clear (no extension was agreed)";
    const opcode = byte & OPCODE;
    if (opcode >= CONTROL) {
      if (opcode > PONG) return `Unknown opcode ${opcode}`;
      if ((byte & FIN) === 0) return "A control frame must not be fragmented";
    } else if (opcode > BINARY) {
      return `Unknown opcode ${opcode}`;
    } else if (opcode === CONTINUATION) {
      if (this.messageOpcode === 0) return "A continuation frame without a message to continue";
    } else if (this.messageOpcode !== 0) {
      return "A new message inside a fragmented message";
    }
    return undefined;
  }

  /** True when the current data frame would take its message past `maxPayload`. */
  private tooBig(): boolean {
    return this.opcode < CONTROL && this.assembled + this.frameLength > this.maxPayload;
  }

  private get opcode(): number {
    return (this.head >> 8) & OPCODE;
  }

  private get fin(): boolean {
    return ((this.head >> 8) & FIN) !== 0;
  }

  /** Bytes of the extended payload length that follow the first two header bytes. */
  private extendedLengthBytes(): number {
    const length = this.head & LENGTH;
    if (length < 126) return 0;
    return length === 126 ? 2 : 8;
  }

  /** Reads payload bytes from `at` on; returns where it stopped. */
  private readPayload(chunk: Buffer, at: number): number {
    const wanted = this.frameLength - this.frameRead;
    const available = chunk.length - at;
    const control = this.opcode >= CONTROL;
    // The whole frame is here and is a whole message (or a control frame): no copy.
    if (this.frameRead === 0 && available >= wanted && (control || this.isWholeMessage())) {
      unmask(chunk, at, chunk, at, wanted, this.mask, 0);
      this.endFrame(chunk.subarray(at, at + wanted));
      return at + wanted;
    }
    const count = Math.min(available, wanted);
    if (control) {
      this.controlPayload ??= Buffer.allocUnsafe(this.frameLength);
      unmask(this.controlPayload, this.frameRead, chunk, at, count, this.mask, this.frameRead);
    } else {
      const targetAt = this.assembled + this.frameRead;
      const target = this.reserve(targetAt + count);
      unmask(target, targetAt, chunk, at, count, this.mask, this.frameRead);
    }
    this.frameRead += count;
    if (this.frameRead === this.frameLength) {
      const payload = this.controlPayload ?? EMPTY;
      this.controlPayload = undefined;
      this.endFrame(payload);
    }
    return at + count;
  }

  private isWholeMessage(): boolean {
    return this.fin && this.messageOpcode === 0;
  }

  /**
   * The assembly buffer, grown to hold at least `end` bytes. It grows with the bytes that
   * actually arrived, never to a length a header merely announces (a peer could announce
   * megabytes on many connections and send nothing more), and by doubling, so each byte is
   * copied at most a few times however the message is cut. A single-frame message stops at
   * its exact length; a fragmented one at `maxPayload`.
   */
  private reserve(end: number): Buffer {
    const current = this.assembly;
    if (current !== undefined && current.length >= end) return current;
    const ceiling = this.isWholeMessage() ? this.frameLength : this.maxPayload;
    const doubled = Math.max(MIN_ASSEMBLY, (current?.length ?? 0) * 2);
    const grown = Buffer.allocUnsafe(Math.min(ceiling, Math.max(end, doubled)));
    if (current !== undefined) current.copy(grown, 0, 0, this.assembled + this.frameRead);
    this.assembly = grown;
    return grown;
  }

  /**
   * The current frame is complete. `payload` is its unmasked payload when it is a control
   * frame or a whole message read without a copy; the assembly holds it otherwise.
   */
  private endFrame(payload: Buffer): void {
    this.phase = HEADER;
    const opcode = this.opcode;
    if (opcode >= CONTROL) {
      this.handleControl(opcode, payload);
      return;
    }
    if (!this.fin) {
      this.assembled += this.frameLength;
      if (opcode !== CONTINUATION) this.messageOpcode = opcode;
      return;
    }
    const message = this.assembly?.subarray(0, this.assembled + this.frameLength) ?? payload;
    const binary = (this.messageOpcode || opcode) === BINARY;
    this.messageOpcode = 0;
    this.assembled = 0;
    this.assembly = undefined;
    if (!binary && !isUtf8(message)) {
      this.fail(CLOSE_INVALID_DATA, "A text message must be valid UTF-8");
      return;
    }
    this.onMessage(message, binary);
  }

  private handleControl(opcode: number, payload: Buffer): void {
    if (opcode === PING) {
      this.onPing(payload);
      return;
    }
    // A pong (unsolicited: we never ping at this level) needs nothing.
    if (opcode !== CLOSE) return;
    if (payload.length === 0) {
      this.stopReading();
      this.onClose(CLOSE_NO_CODE, EMPTY);
      return;
    }
    if (payload.length === 1) {
      this.fail(CLOSE_PROTOCOL_ERROR, "A close frame payload of one byte");
      return;
    }
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code)) {
      this.fail(CLOSE_PROTOCOL_ERROR, `Invalid close code ${code}`);
      return;
    }
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) {
      this.fail(CLOSE_INVALID_DATA, "A close reason must be valid UTF-8");
      return;
    }
    this.stopReading();
    this.onClose(code, reason);
  }

  /** Stops reading and reports a protocol error; returns an offset past any chunk. */
  private fail(code: number, reason: string): number {
    this.stopReading();
    this.onProtocolError(code, reason);
    return Number.MAX_SAFE_INTEGER;
  }
}
