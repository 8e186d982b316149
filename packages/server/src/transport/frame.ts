/**
 * Server-to-client WebSocket framing (RFC 6455 §5.2). Server frames are never masked, so a
 * complete frame is a 2-, 4- or 10-byte header followed by the payload, and the same bytes
 * can be written to any number of sockets.
 */

/** FIN bit set: every message we send is a single frame. */
const FIN = 0x80;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
/** Payload lengths from here up take a 16-bit extended length. */
const LENGTH_16 = 126;
/** Payload lengths from here up take a 64-bit extended length. */
const LENGTH_64 = 0x10000;

/** Bytes of the header of a frame carrying `length` payload bytes. */
function headerLength(length: number): number {
  if (length < LENGTH_16) return 2;
  return length < LENGTH_64 ? 4 : 10;
}

/** Writes the header of an unmasked, final frame into `target` at 0; returns its length. */
function writeHeader(target: Uint8Array, length: number, binary: boolean): number {
  target[0] = FIN | (binary ? OPCODE_BINARY : OPCODE_TEXT);
  if (length < LENGTH_16) {
    target[1] = length;
    return 2;
  }
  if (length < LENGTH_64) {
    target[1] = LENGTH_16;
    target[2] = length >>> 8;
    target[3] = length & 0xff;
    return 4;
  }
  target[1] = 127;
  // Lengths stay far below 2^53; the high 32 bits of the 64-bit length are written as such.
  const high = Math.floor(length / 0x1_0000_0000);
  const view = new DataView(target.buffer, target.byteOffset, 10);
  view.setUint32(2, high);
  view.setUint32(6, length >>> 0);
  return 10;
}

/** One complete WebSocket message frame (header and payload) holding `payload`. */
export function frameMessage(payload: Uint8Array, binary: boolean): Buffer {
  const offset = headerLength(payload.length);
  const frame = Buffer.allocUnsafe(offset + payload.length);
  writeHeader(frame, payload.length, binary);
  frame.set(payload, offset);
  return frame;
}
