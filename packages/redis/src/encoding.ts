import type { BrokerEvent, BrokerPublishResult } from "@switchyard/server";
import { Packr } from "msgpackr";

// Standard MessagePack maps (no records extension: every node decodes every message on its
// own), 64-bit integers as numbers. MessagePack keeps binary data (Uint8Array) and
// `undefined`, which JSON would lose, so data round-trips as through the memory broker.
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "number",
  largeBigIntToFloat: true,
});

/** Separates the stamp from the payload in a pub/sub message. */
const BAR = 0x7c; // |

/**
 * What the publish script assigned to an event: `<timestamp>,<offset>,<epoch>`, with offset
 * -1 and an empty epoch without history. ASCII only, so it never contains the `|` separator.
 */
export interface Stamp {
  timestamp: number;
  offset?: number;
  epoch?: string;
}

/**
 * Unpacks through a plain Uint8Array view: msgpackr then hands binary data back as
 * Uint8Array (as it was published) rather than as Node's Buffer subclass.
 */
function unpack(bytes: Uint8Array): unknown {
  return packr.unpack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The payload of an event, kept in history and published: MessagePack `[event, data]`. */
export function encodePayload(event: string, data: unknown): Buffer {
  return packr.pack([event, data]);
}

/** Decodes a payload made by {@link encodePayload}. */
function decodePayload(payload: Uint8Array): { event: string; data: unknown } {
  const decoded = unpack(payload);
  if (!Array.isArray(decoded) || typeof decoded[0] !== "string") {
    throw new Error("malformed event payload");
  }
  return { event: decoded[0], data: decoded[1] };
}

/** Parses a stamp written by the publish script. */
export function parseStamp(text: string): Stamp {
  const [timestamp = "", offset = "", epoch = ""] = text.split(",");
  const stamp: Stamp = { timestamp: Number(timestamp) };
  const at = Number(offset);
  if (at >= 0 && epoch !== "") {
    stamp.offset = at;
    stamp.epoch = epoch;
  }
  if (!Number.isFinite(stamp.timestamp)) throw new Error(`malformed stamp '${text}'`);
  return stamp;
}

/** The result of a publish (or of its duplicate) from the stamp of its first publish. */
export function publishResult(stamp: Stamp, duplicate: boolean): BrokerPublishResult {
  const result: BrokerPublishResult = { timestamp: stamp.timestamp, duplicate };
  if (stamp.offset !== undefined) {
    result.offset = stamp.offset;
    result.epoch = stamp.epoch;
  }
  return result;
}

/** Builds the event a node delivers or reads back from its stamp and payload. */
export function toEvent(channel: string, stamp: Stamp, payload: Uint8Array): BrokerEvent {
  const { event, data } = decodePayload(payload);
  const result: BrokerEvent = { channel, event, data, timestamp: stamp.timestamp };
  if (stamp.offset !== undefined) {
    result.offset = stamp.offset;
    result.epoch = stamp.epoch;
  }
  return result;
}

/** Decodes a pub/sub message published by the publish script: `<stamp>|<payload>`. */
export function decodeMessage(channel: string, message: Buffer): BrokerEvent {
  const bar = message.indexOf(BAR);
  if (bar < 0) throw new Error("malformed event message");
  const stamp = parseStamp(message.toString("latin1", 0, bar));
  return toEvent(channel, stamp, message.subarray(bar + 1));
}

/** Encodes any value for presence info and control messages. */
export function encodeValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes a value made by {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  return unpack(bytes);
}
