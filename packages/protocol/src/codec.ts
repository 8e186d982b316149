import { Packr } from "msgpackr";
import { PROTOCOL_VERSION } from "./frames.js";
import { widenIntegers } from "./msgpack-integers.js";
import { messagePackReader } from "./msgpack-reader.js";

/** Codec names; the WebSocket subprotocol is `switchyard.v1.<name>`. */
export type CodecName = "json" | "msgpack";

/**
 * Turns frames into WebSocket messages and back. The same frames travel in both codecs; a
 * message holds one frame or an array of frames (a batch).
 */
export interface Codec {
  readonly name: CodecName;
  /** The WebSocket subprotocol that selects this codec. */
  readonly subprotocol: string;
  /** True when messages are binary frames (MessagePack), false for text (JSON). */
  readonly binary: boolean;
  /** Encodes a value for `WebSocket.send`: a string for text codecs, bytes for binary ones. */
  encode(value: unknown): string | Uint8Array;
  /** Encodes a value to bytes (UTF-8 for text codecs). Used to encode an event once. */
  encodeBytes(value: unknown): Uint8Array;
  /** Joins already-encoded frames into one message holding an array of them. */
  batch(parts: readonly Uint8Array[]): Uint8Array;
  /** Decodes one message. Throws on malformed input. */
  decode(message: string | ArrayBuffer | Uint8Array): unknown;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

const OPEN = 0x5b; // [
const COMMA = 0x2c; // ,
const CLOSE = 0x5d; // ]

function concat(
  head: Uint8Array,
  parts: readonly Uint8Array[],
  sep: number | null,
  tail: number[],
) {
  let length = head.length + tail.length;
  for (const part of parts) length += part.length;
  if (sep !== null && parts.length > 1) length += parts.length - 1;
  const out = new Uint8Array(length);
  out.set(head, 0);
  let at = head.length;
  parts.forEach((part, index) => {
    if (sep !== null && index > 0) out[at++] = sep;
    out.set(part, at);
    at += part.length;
  });
  for (const byte of tail) out[at++] = byte;
  return out;
}

/** JSON text frames: the default, readable in a browser console. */
export const jsonCodec: Codec = {
  name: "json",
  subprotocol: `${PROTOCOL_VERSION}.json`,
  binary: false,
  encode: (value) => JSON.stringify(value),
  encodeBytes: (value) => utf8Encoder.encode(JSON.stringify(value)),
  batch: (parts) => concat(Uint8Array.of(OPEN), parts, COMMA, [CLOSE]),
  decode(message) {
    const text = typeof message === "string" ? message : utf8Decoder.decode(message);
    return JSON.parse(text);
  },
};

// Standard MessagePack maps only (no records extension), so any language can decode frames.
// `skipValues` drops undefined fields as JSON.stringify does (documented, missing from the types).
// Reading: 64-bit integers as numbers; binary data copied out of the message (a small `bin`
// kept in history must not hold the whole message); msgpackr's structured-clone references
// refused, as they build cycles and shared subtrees that no JSON value has; the rest of what
// msgpackr reads otherwise than the protocol is in msgpack-reader.ts.
const packrOptions = {
  useRecords: false,
  mapsAsObjects: true,
  skipValues: [undefined],
  int64AsType: "number",
  largeBigIntToFloat: true,
  copyBuffers: true,
  structuredClone: false,
} as NonNullable<ConstructorParameters<typeof Packr>[0]>;
const packr = new Packr(packrOptions);
const readMessagePack = messagePackReader(packrOptions);

function arrayHeader(count: number): Uint8Array {
  if (count < 16) return Uint8Array.of(0x90 | count);
  if (count < 0x10000) return Uint8Array.of(0xdc, count >> 8, count & 0xff);
  return Uint8Array.of(0xdd, count >>> 24, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff);
}

/**
 * MessagePack binary frames: compact, carries binary data and large numeric arrays well.
 * Integers travel as MessagePack integers of the smallest format, other numbers as float 64;
 * binary data (`bin`) decodes to a plain `Uint8Array`, never to Node's `Buffer`.
 */
export const msgpackCodec: Codec = {
  name: "msgpack",
  subprotocol: `${PROTOCOL_VERSION}.msgpack`,
  binary: true,
  encode: (value) => packr.pack(widenIntegers(value)),
  encodeBytes: (value) => packr.pack(widenIntegers(value)),
  batch: (parts) => concat(arrayHeader(parts.length), parts, null, []),
  decode(message) {
    if (typeof message === "string") throw new TypeError("MessagePack messages must be binary");
    // Through a plain Uint8Array view: msgpackr hands `bin` back in the type of its input.
    const bytes =
      message instanceof Uint8Array
        ? new Uint8Array(message.buffer, message.byteOffset, message.byteLength)
        : new Uint8Array(message);
    return readMessagePack(bytes);
  },
};

/** Every codec, in order of preference when a client offers several subprotocols. */
export const CODECS: readonly Codec[] = [jsonCodec, msgpackCodec];

/** The codec for a subprotocol name, or undefined when it is not one of ours. */
export function codecForSubprotocol(subprotocol: string): Codec | undefined {
  return CODECS.find((codec) => codec.subprotocol === subprotocol);
}

/** The codec by name. */
export function codecByName(name: CodecName): Codec {
  return name === "msgpack" ? msgpackCodec : jsonCodec;
}
