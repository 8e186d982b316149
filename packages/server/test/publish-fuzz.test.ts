/**
 * The publish path against arbitrary MessagePack: `data` built from every MessagePack type
 * (nil, booleans, integers of every width, float 32/64, str, bin, arrays, maps with keys of
 * any type, extension types known and unknown) and every extension msgpackr itself writes
 * (timestamps, BigInt, Set, Map, Error, RegExp, typed arrays, records, structured clones,
 * bundled strings, undefined), sent raw over a MessagePack WebSocket. For each request:
 * exactly one answer; either refused (`malformed_frame` when the message does not decode,
 * `invalid_data` when the data is not JSON values) and nothing published, or published with
 * the next offset and delivered alike to a JSON and a MessagePack subscriber and to history.
 */
import { msgpackCodec } from "@switchyard/protocol";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { createHttpApi } from "../src/http/http-api.js";
import {
  connected,
  OPEN_POLICY,
  type RawClient,
  startHub,
  useTransport,
} from "./helpers/fixtures.js";
import { hexBytes, publishFrame } from "./helpers/msgpack-frames.js";
import { offsetsOf, range, untilOffset } from "./helpers/streams.js";
import { TRANSPORTS } from "./helpers/transport.js";

const CH = "fuzz:1";
const API_KEY = "fuzz-test-key";
/** Runs per transport: about a second each. A failure prints the seed that replays it. */
const RUNS = 500;

// ---------------------------------------------------------------------------------------
// MessagePack items, as bytes
// ---------------------------------------------------------------------------------------

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** `value` as `bytes` big-endian bytes. */
function bigEndian(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let rest = value;
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

/** A header of `family` (str, bin, array, map) for `length`, in the smallest or a wider form. */
function header(family: "str" | "bin" | "array" | "map", length: number, wide: number): Uint8Array {
  const fix = { str: [0xa0, 32], bin: undefined, array: [0x90, 16], map: [0x80, 16] }[family];
  const sized = {
    str: [0xd9, 0xda, 0xdb],
    bin: [0xc4, 0xc5, 0xc6],
    array: [0, 0xdc, 0xdd],
    map: [0, 0xde, 0xdf],
  }[family];
  const widths = [1, 2, 4];
  const forms: Uint8Array[] = [];
  if (fix !== undefined && length < fix[1]!) forms.push(Uint8Array.of(fix[0]! | length));
  sized.forEach((byte, i) => {
    if (byte !== 0 && length < 256 ** widths[i]!)
      forms.push(concat(Uint8Array.of(byte), bigEndian(length, widths[i]!)));
  });
  return forms[wide % forms.length]!;
}

const utf8 = new TextEncoder();
const width = fc.nat(2);

const nilOrBool = fc.constantFrom(0xc0, 0xc2, 0xc3, 0xc1).map((byte) => Uint8Array.of(byte));
const fixint = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }).map((n) => Uint8Array.of(n)),
  fc.integer({ min: -32, max: -1 }).map((n) => Uint8Array.of(0x100 + n)),
);
/** uint 8/16/32/64, int 8/16/32/64, float 32/64 with arbitrary payload bytes (NaN, ∞ included). */
const sizedNumber = fc
  .tuple(
    fc.constantFrom(
      [0xcc, 1],
      [0xcd, 2],
      [0xce, 4],
      [0xcf, 8],
      [0xd0, 1],
      [0xd1, 2],
      [0xd2, 4],
      [0xd3, 8],
      [0xca, 4],
      [0xcb, 8],
    ),
    fc.uint8Array({ minLength: 8, maxLength: 8 }),
  )
  .map(([[type, size], bytes]) => concat(Uint8Array.of(type!), bytes.subarray(0, size)));
const float64 = fc.double().map((n) => {
  const bytes = Buffer.alloc(9);
  bytes[0] = 0xcb;
  bytes.writeDoubleBE(n, 1);
  return Uint8Array.from(bytes);
});
/** Text of any code points (lone surrogates included), and raw bytes that may not be UTF-8. */
const str = fc
  .tuple(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 12 }).map((text) => utf8.encode(text)),
      fc.uint8Array({ maxLength: 8 }),
    ),
    width,
  )
  .map(([bytes, wide]) => concat(header("str", bytes.length, wide), bytes));
const bin = fc
  .tuple(fc.uint8Array({ maxLength: 16 }), width)
  .map(([bytes, wide]) => concat(header("bin", bytes.length, wide), bytes));
/** fixext 1/2/4/8/16 and ext 8/16/32 of any type, timestamps (-1) of their three sizes among them. */
const ext = fc
  .tuple(
    fc.oneof(fc.integer({ min: -128, max: 127 }), fc.constant(-1)),
    fc.oneof(fc.constantFrom(4, 8, 12), fc.nat(20)),
    fc.uint8Array({ minLength: 20, maxLength: 20 }),
    fc.boolean(),
    width,
  )
  .map(([type, length, payload, preferFixed, wide]) => {
    const fixed = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }[length];
    const head =
      fixed !== undefined && preferFixed
        ? Uint8Array.of(fixed)
        : concat(Uint8Array.of(0xc7 + wide), bigEndian(length, [1, 2, 4][wide] ?? 1));
    return concat(head, Uint8Array.of(type & 0xff), payload.subarray(0, length));
  });

// msgpackr's own extensions, written by msgpackr as a client using it would.
const moreTypes = new Packr({
  moreTypes: true,
  structuredClone: true,
  useBigIntExtension: true,
  useRecords: false,
});
const withRecords = new Packr({ useRecords: true });
const bundled = new Packr({ bundleStrings: true, useRecords: false });

class Point {
  constructor(readonly x: number) {}
}
const shared = { n: 1 };
const cyclic: Record<string, unknown> = { name: "loop" };
cyclic.self = cyclic;
const typedArrays = [
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
] as const;

const exotic = fc
  .oneof(
    fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }).map((n) => moreTypes.pack(n)),
    fc.date({ noInvalidDate: false }).map((date) => moreTypes.pack(date)),
    fc.array(fc.integer(), { maxLength: 3 }).map((items) => moreTypes.pack(new Set(items))),
    fc
      .array(
        fc.tuple(fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)), fc.nat()),
        {
          maxLength: 3,
        },
      )
      .map((entries) => moreTypes.pack(new Map(entries))),
    fc.string().map((message) => moreTypes.pack(new TypeError(message))),
    fc.constantFrom(/a+/g, /x/i).map((pattern) => moreTypes.pack(pattern)),
    fc
      .tuple(fc.constantFrom(...typedArrays), fc.array(fc.nat(100), { maxLength: 4 }))
      .map(([Kind, items]) => moreTypes.pack(new Kind(items))),
    fc
      .constantFrom(
        new BigInt64Array([1n, -2n]),
        new ArrayBuffer(3),
        new DataView(new ArrayBuffer(2)),
        new Point(1),
        undefined,
        [1, undefined],
        { shared, again: shared },
        cyclic,
      )
      .map((value) => moreTypes.pack(value)),
    fc
      .array(fc.record({ a: fc.integer(), b: fc.string() }), { maxLength: 3 })
      .map((rows) => withRecords.pack(rows)),
    fc
      .record({ x: fc.string({ minLength: 10 }), y: fc.string({ minLength: 10 }) })
      .map((value) => bundled.pack(value)),
  )
  .map((bytes) => Uint8Array.from(bytes));

const { item } = fc.letrec<{
  item: Uint8Array;
  leaf: Uint8Array;
  array: Uint8Array;
  map: Uint8Array;
}>((tie) => ({
  item: fc.oneof({ depthSize: "small", maxDepth: 4 }, tie("leaf"), tie("array"), tie("map")),
  leaf: fc.oneof(nilOrBool, fixint, sizedNumber, float64, str, str, bin, ext, exotic),
  array: fc
    .tuple(fc.array(tie("item"), { maxLength: 4 }), width)
    .map(([items, wide]) => concat(header("array", items.length, wide), ...items)),
  map: fc
    .tuple(
      fc.array(fc.tuple(fc.oneof(str, str, str, tie("leaf")), tie("item")), { maxLength: 4 }),
      width,
    )
    .map(([entries, wide]) => concat(header("map", entries.length, wide), ...entries.flat())),
}));

// ---------------------------------------------------------------------------------------
// What the hub must do with them
// ---------------------------------------------------------------------------------------

/** Event data as protocol.md defines it, written plainly (not the hub's code). */
function isEventData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  // With the u flag a surrogate pair is one code point: \p{Cs} finds only lone halves.
  if (typeof value === "string") return !/\p{Cs}/u.test(value);
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Uint8Array.prototype) return true;
  if (depth >= 100) return false;
  if (Array.isArray(value)) {
    return (
      prototype === Array.prototype &&
      Array.from(value).every((element) => element !== undefined && isEventData(element, depth + 1))
    );
  }
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.entries(value).every(
    ([key, field]) =>
      !/\p{Cs}/u.test(key) && (field === undefined || isEventData(field, depth + 1)),
  );
}

/** What a MessagePack subscriber reads back: undefined fields gone, -0 written as 0. */
function asDelivered(value: unknown): unknown {
  if (typeof value === "number") return value === 0 ? 0 : value;
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(asDelivered);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = asDelivered(field);
  }
  return out;
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The last event a subscriber received on {@link CH}. */
const lastEvent = (client: RawClient) => client.events(CH).at(-1);

describe.each(TRANSPORTS)("publishing arbitrary MessagePack over the %s transport", (transport) => {
  useTransport(transport);

  it("answers each request once, and publishes exactly the JSON values, to both codecs", async () => {
    const { hub, url } = await startHub({ ...OPEN_POLICY, limits: { rate: 1e6, burst: 1e6 } });
    const api = createHttpApi(hub, { apiKey: API_KEY });
    const json = await connected(url);
    const binary = await connected(url, {}, { codec: "msgpack" });
    const publisher = await connected(url, {}, { codec: "msgpack" });
    const subscribed = await json.request({ type: "subscribe", channel: CH });
    await binary.request({ type: "subscribe", channel: CH });
    const { epoch } = subscribed.result as { epoch: string };
    let published = 0;
    let nextId = 1000;
    const outcomes = { published: 0, invalid_data: 0, malformed_frame: 0 };

    const property = fc.asyncProperty(item, async (data) => {
      const id = nextId++;
      const ping = nextId++;
      const message = publishFrame({ id, channel: CH, event: "fuzz" }, data);
      let decoded: { data?: unknown } | undefined;
      try {
        decoded = msgpackCodec.decode(message) as { data?: unknown };
      } catch {
        decoded = undefined;
      }
      const from = publisher.frames.length;
      publisher.sendRaw(message, true);
      publisher.send({ type: "ping", id: ping });
      await publisher.next((f) => f.type === "reply" && f.id === ping, from);
      const answers = publisher.frames
        .slice(from)
        .filter((f) => f.type === "error" || (f.type === "reply" && f.id !== ping));
      expect(answers).toHaveLength(1);
      const [answer] = answers;

      if (decoded === undefined) {
        outcomes.malformed_frame++;
        expect(answer).toMatchObject({ type: "error", error: { code: "malformed_frame" } });
        return;
      }
      const value = decoded.data === undefined ? null : decoded.data;
      if (!isEventData(value)) {
        outcomes.invalid_data++;
        expect(answer).toMatchObject({
          type: "reply",
          id,
          error: { code: "invalid_data", details: { field: "data" } },
        });
        return;
      }
      outcomes.published++;
      published++;
      expect(answer).toEqual({ type: "reply", id, result: { offset: published, epoch } });
      await untilOffset(json, CH, published);
      await untilOffset(binary, CH, published);
      expect(lastEvent(binary)).toMatchObject({ offset: published, event: "fuzz" });
      expect(lastEvent(binary)?.data).toEqual(asDelivered(value));
      expect(lastEvent(json)).toMatchObject({ offset: published, event: "fuzz" });
      expect(lastEvent(json)?.data).toEqual(asJson(value));
      const response = await api.request(
        `/api/channels/${encodeURIComponent(CH)}/history?after=${published - 1}&limit=1`,
        { headers: { authorization: `Bearer ${API_KEY}` } },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as { events: { offset: number; data: unknown }[] };
      expect(page.events.map((e) => [e.offset, e.data])).toEqual([[published, asJson(value)]]);
    });
    await fc.assert(property, {
      numRuns: RUNS,
      examples: [
        [hexBytes("d4 42 01")], // a BigInt, as the issue found it
        [hexBytes("d6 ff 00 00 00 01")], // a timestamp
        [hexBytes("92 01 d4 00 00")], // undefined inside an array
        [hexBytes("81 01 02")], // a map with an integer key
        [hexBytes("cf 00 00 01 00 00 00 00 00")], // uint 64
        [hexBytes("cb 7f f8 00 00 00 00 00 00")], // NaN
        [hexBytes("c4 03 01 02 03")], // binary data
      ],
    });

    // Every kind of outcome happened, and the stream has no gap anywhere.
    expect(outcomes.published).toBeGreaterThan(RUNS / 10);
    expect(outcomes.invalid_data).toBeGreaterThan(RUNS / 10);
    expect(outcomes.malformed_frame).toBeGreaterThan(0);
    expect(offsetsOf(json, CH)).toEqual(range(1, published));
    expect(offsetsOf(binary, CH)).toEqual(range(1, published));
    const history = await hub.history(CH, { after: 0, limit: 1000 });
    expect(history.events.map((e) => e.offset)).toEqual(range(1, published));
    expect(publisher.closeCode).toBeUndefined();
  }, 60_000);
});
