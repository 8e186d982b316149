/**
 * WebSocket frames as a client sends them (masked), built by hand so that tests can also
 * build the wrong ones: unmasked, with reserved bits, with lying lengths.
 */

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** The masking key of RFC 6455 §5.7's examples; any key works. */
const DEFAULT_MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export interface ClientFrameOptions {
  /** FIN bit. @default true */
  fin?: boolean;
  /** RSV1-3 as the bits 0x40, 0x20, 0x10 of the first byte. @default 0 */
  rsv?: number;
  /** Whether the frame is masked, as clients must. @default true */
  masked?: boolean;
  mask?: Buffer;
}

/** One frame with `opcode` and `payload` (a string is sent as its UTF-8 bytes). */
export function clientFrame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  options: ClientFrameOptions = {},
): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  const masked = options.masked ?? true;
  const mask = options.mask ?? DEFAULT_MASK;
  let header: Buffer;
  if (data.length < 126) {
    header = Buffer.from([0, data.length]);
  } else if (data.length < 0x10000) {
    header = Buffer.from([0, 126, data.length >> 8, data.length & 0xff]);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | opcode;
  if (!masked) return Buffer.concat([header, data]);
  header[1] = (header[1] as number) | 0x80;
  const body = Buffer.from(data.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, body]);
}

/** A close frame with a code and a reason (raw bytes allowed, to send invalid UTF-8). */
export function clientClose(code: number, reason: Buffer | string = ""): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(OPCODE.close, Buffer.concat([payload, Buffer.from(reason)]));
}
