import { Packr } from "msgpackr";

/** Plain MessagePack for the fields around the raw bytes (no records, no extensions). */
const standard = new Packr({ useRecords: false });

/**
 * A MessagePack `publish` frame whose `data` is `data`, raw MessagePack bytes taken as they
 * are: what a client in another language (or an attacker) may send, extension types included.
 */
export function publishFrame(
  fields: { id: number; channel: string; event: string },
  data: Uint8Array,
): Buffer {
  const parts: Uint8Array[] = [Uint8Array.of(0x85)]; // a map of 5 entries
  for (const [key, value] of [
    ["type", "publish"],
    ["id", fields.id],
    ["channel", fields.channel],
    ["event", fields.event],
  ] as const) {
    parts.push(standard.pack(key), standard.pack(value));
  }
  parts.push(standard.pack("data"), data);
  return Buffer.concat(parts);
}

/** `hex` ("d4 42 01") as bytes. */
export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
}
