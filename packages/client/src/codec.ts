import type { CodecName } from "@switchyard/protocol";

/**
 * What the client needs from a codec: encode a frame (or a batch) into one WebSocket message
 * and decode a message. The protocol package's codecs satisfy it; the client carries its own
 * JSON codec so that the core bundle never pulls in MessagePack. Frame types stay defined once,
 * in `@switchyard/protocol`.
 */
export interface ClientCodec {
  readonly name: CodecName;
  /** The WebSocket subprotocol that selects this codec on the server. */
  readonly subprotocol: string;
  /** True when messages are binary (MessagePack), false for text (JSON). */
  readonly binary: boolean;
  /** Encodes a frame or an array of frames for `WebSocket.send`. */
  encode(value: unknown): string | Uint8Array;
  /** Decodes one message. Throws on malformed input. */
  decode(message: string | ArrayBuffer | Uint8Array): unknown;
}

const decoder = new TextDecoder();

/**
 * JSON text frames (subprotocol `switchyard.v1.json`): the default. For MessagePack import
 * `msgpackCodec` from `@switchyard/client/msgpack`.
 */
export const jsonCodec: ClientCodec = {
  name: "json",
  subprotocol: "switchyard.v1.json",
  binary: false,
  encode: (value) => JSON.stringify(value),
  decode: (message) => JSON.parse(typeof message === "string" ? message : decoder.decode(message)),
};

/** Size in bytes of an encoded message (UTF-8 length for text), without encoding it again. */
export function messageSize(message: string | Uint8Array): number {
  if (typeof message !== "string") return message.byteLength;
  let bytes = message.length;
  for (let i = 0; i < message.length; i++) {
    const code = message.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
