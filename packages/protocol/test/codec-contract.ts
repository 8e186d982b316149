import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CODECS,
  type Codec,
  codecByName,
  codecForSubprotocol,
  PROTOCOL_VERSION,
  parseClientFrame,
} from "../src/index.js";
import { CLIENT_FRAMES, SERVER_FRAMES, STARTUP_BATCH } from "./frame-samples.js";

/** What a codec's own wire format adds to the contract. */
export interface CodecCases {
  /**
   * Messages in this codec's format that are not valid messages of it, each with what is
   * wrong: `decode` must throw on every one (the hub answers `malformed_frame`). The contract
   * adds the cases every format shares (empty, truncated, trailing bytes).
   */
  malformed: readonly (readonly [what: string, message: string | Uint8Array])[];
}

const ALL_FRAMES = { ...CLIENT_FRAMES, ...SERVER_FRAMES };

/** Integers at the edge of every MessagePack integer width, and JSON's safe-integer limit. */
const INTEGERS = [
  0,
  1,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  1_764_000_000_123,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64 - 2 ** 11,
  -1,
  -31,
  -32,
  -33,
  -127,
  -128,
  -129,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53 - 1),
  -(2 ** 53),
  -(2 ** 63),
];

const FLOATS = [
  0.5,
  -1.5,
  0.1,
  0.1 + 0.2,
  1 / 3,
  45.5,
  Number.EPSILON,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2 ** 64,
  -(2 ** 64),
  1e21,
  1.5e300,
  2 ** -1022,
];

/** Every Unicode scalar value (code points without the surrogates) of `plane`. */
function planeText(plane: number): string {
  const parts: string[] = [];
  for (let point = plane * 0x10000; point < (plane + 1) * 0x10000; point++) {
    if (point < 0xd800 || point > 0xdfff) parts.push(String.fromCodePoint(point));
  }
  return parts.join("");
}

/** Where two strings first differ, for a readable failure on megabyte strings. */
function firstDifference(actual: unknown, expected: string): string | undefined {
  if (actual === expected) return undefined;
  if (typeof actual !== "string") return `got a ${typeof actual}`;
  const at = [...expected].findIndex((char, i) => [...actual][i] !== char);
  const point = expected.codePointAt(at)?.toString(16);
  return `lengths ${actual.length} and ${expected.length}; first difference at U+${point}`;
}

/**
 * Strings whose UTF-8 length sits at the edges of the MessagePack string widths (str 8, 16,
 * 32), built of characters of 1 to 4 bytes so that a header counting characters would fail.
 */
function edgeStrings(): string[] {
  const strings: string[] = [];
  for (const bytes of [31, 32, 255, 256, 65_535, 65_536]) {
    for (const char of ["a", "é", "€", "😀"]) {
      const width = new TextEncoder().encode(char).length;
      const pad = "a".repeat(bytes % width);
      strings.push(pad + char.repeat(Math.floor(bytes / width)));
    }
  }
  return strings;
}

/** A value `depth` levels deep, arrays and objects in turn. */
function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let level = 0; level < depth; level++) {
    value = level % 2 === 0 ? [value, level] : { level, inner: value };
  }
  return value;
}

/** `bytes` as the several views a transport may hand to `decode`. */
function bytesForms(bytes: Uint8Array): [string, Uint8Array | ArrayBuffer][] {
  const padded = new Uint8Array(bytes.length + 7).fill(0x7b);
  padded.set(bytes, 3);
  const alone = Uint8Array.from(bytes);
  return [
    ["a Uint8Array", alone],
    ["an ArrayBuffer", alone.buffer],
    ["a Node Buffer", Buffer.from(bytes)],
    ["a view into a larger buffer", padded.subarray(3, 3 + bytes.length)],
  ];
}

function join(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/**
 * The contract every codec passes, whatever its wire format: what a program encodes, the
 * other side decodes to the same JSON value, alone or in a batch, from every form a transport
 * hands over; malformed messages throw, which the hub answers with `malformed_frame`. Call it
 * at the top level of a test file; it registers a `describe` block.
 *
 * @example
 * codecContract(jsonCodec, { malformed: [["not JSON", "{not json"]] });
 */
export function codecContract(codec: Codec, cases: CodecCases): void {
  /** What the other side reads after `value` went through `encode`, and through `encodeBytes`. */
  const readBack = (value: unknown) => [
    codec.decode(codec.encode(value)),
    codec.decode(codec.encodeBytes(value)),
  ];

  const expectRoundTrip = (value: unknown, expected: unknown = value) => {
    for (const decoded of readBack(value)) expect(decoded).toStrictEqual(expected);
  };

  describe(`codec contract: ${codec.name}`, () => {
    describe("identity", () => {
      it("is selected by its subprotocol and its name", () => {
        expect(codec.subprotocol).toBe(`${PROTOCOL_VERSION}.${codec.name}`);
        expect(codecForSubprotocol(codec.subprotocol)).toBe(codec);
        expect(codecByName(codec.name)).toBe(codec);
        expect(CODECS).toContain(codec);
      });

      it("encodes text for a text codec and bytes for a binary one", () => {
        const frame = SERVER_FRAMES.event;
        const message = codec.encode(frame);
        const bytes = codec.encodeBytes(frame);
        expect(bytes).toBeInstanceOf(Uint8Array);
        if (codec.binary) {
          expect(message).toBeInstanceOf(Uint8Array);
          expect([...(message as Uint8Array)]).toEqual([...bytes]);
        } else {
          expect(typeof message).toBe("string");
          expect([...new TextEncoder().encode(message as string)]).toEqual([...bytes]);
        }
      });
    });

    describe("frames", () => {
      it.each(Object.entries(ALL_FRAMES))("round-trips %s", (_name, frame) => {
        expectRoundTrip(frame);
      });

      it.each(Object.entries(CLIENT_FRAMES))(
        "decodes %s to a frame the parser accepts as it was sent",
        (_name, frame) => {
          expect(parseClientFrame(codec.decode(codec.encode(frame)))).toStrictEqual({
            ok: true,
            frame,
          });
        },
      );

      it("decodes the bytes of a message alike from every form a transport hands over", () => {
        const bytes = codec.encodeBytes(SERVER_FRAMES["reply to connect"]);
        for (const [form, message] of bytesForms(bytes)) {
          expect(codec.decode(message), form).toStrictEqual(SERVER_FRAMES["reply to connect"]);
        }
      });

      it("takes text messages only when it is a text codec", () => {
        const text = JSON.stringify(CLIENT_FRAMES.ping);
        if (codec.binary) expect(() => codec.decode(text)).toThrow(Error);
        else expect(codec.decode(text)).toStrictEqual(CLIENT_FRAMES.ping);
      });

      it("keeps an encoded message as it was while more are encoded", () => {
        const kept = codec.encodeBytes(SERVER_FRAMES.event);
        const copy = Uint8Array.from(kept);
        for (let n = 0; n < 2_000; n++) codec.encodeBytes({ n, text: "x".repeat(n % 300) });
        expect([...kept]).toEqual([...copy]);
        expect(codec.decode(kept)).toStrictEqual(SERVER_FRAMES.event);
      });
    });

    describe("batches", () => {
      const pings = (count: number) =>
        Array.from({ length: count }, (_, id) => ({ type: "ping", id }));

      it("decodes a batch to the array of its frames, in order", () => {
        const frames = Object.values(ALL_FRAMES);
        const batch = codec.batch(frames.map((frame) => codec.encodeBytes(frame)));
        expect(codec.decode(batch)).toStrictEqual(frames);
      });

      it("builds the same bytes as encoding the array, at every array-header width", () => {
        for (const count of [0, 1, 2, 15, 16, 17, 65_535, 65_536]) {
          const frames = pings(count);
          const batch = codec.batch(frames.map((frame) => codec.encodeBytes(frame)));
          expect(Buffer.from(batch).equals(codec.encodeBytes(frames)), `${count} frames`).toBe(
            true,
          );
          expect(codec.decode(batch), `${count} frames`).toStrictEqual(frames);
        }
      });

      it("joins parts that are views into larger buffers", () => {
        const parts = STARTUP_BATCH.map((frame) => {
          const bytes = codec.encodeBytes(frame);
          const larger = new Uint8Array(bytes.length + 10).fill(0xff);
          larger.set(bytes, 5);
          return larger.subarray(5, 5 + bytes.length);
        });
        expect(codec.decode(codec.batch(parts))).toStrictEqual(STARTUP_BATCH);
      });

      it("round-trips the start-up batch of the spec encoded as one array", () => {
        expectRoundTrip(STARTUP_BATCH);
      });
    });

    describe("numbers", () => {
      it("reads back integers of every width exactly", () => {
        for (const value of INTEGERS) {
          for (const decoded of readBack({ value })) {
            expect(decoded, String(value)).toStrictEqual({ value });
          }
        }
      });

      it("reads back floats exactly", () => {
        for (const value of FLOATS) {
          for (const decoded of readBack([value])) expect(decoded, String(value)).toEqual([value]);
        }
      });

      it("reads -0 back as 0, as JSON does", () => {
        for (const decoded of readBack({ zero: -0, list: [-0] })) {
          expect(Object.is((decoded as { zero: number }).zero, 0)).toBe(true);
          expect(Object.is((decoded as { list: number[] }).list[0], 0)).toBe(true);
        }
      });

      it("keeps the number type: integers stay numbers, never BigInts", () => {
        for (const decoded of readBack([2 ** 53 - 1, 2 ** 63, -(2 ** 63)])) {
          for (const item of decoded as unknown[]) expect(typeof item).toBe("number");
        }
      });
    });

    describe("strings", () => {
      it.each(Array.from({ length: 17 }, (_, plane) => plane))(
        "reads back every character of Unicode plane %i",
        (plane) => {
          const text = planeText(plane);
          for (const decoded of readBack({ text })) {
            expect(firstDifference((decoded as { text: unknown }).text, text)).toBeUndefined();
          }
        },
      );

      it("reads back strings at the edges of the string widths, in characters of every length", () => {
        for (const text of edgeStrings()) {
          for (const decoded of readBack([text])) {
            const [back] = decoded as unknown[];
            expect(firstDifference(back, text), `${text.length} × ${text.at(-1)}`).toBeUndefined();
          }
        }
      });

      it("reads back characters JSON escapes, and the edges of Unicode", () => {
        const text =
          '\u0000\u0001\u001f\u007f"\\/\b\f\n\r\t\u2028\u2029\ufeff\ufffe\uffff</script>\u{10ffff}e\u0301👩‍🔬';
        expectRoundTrip({ text, [text]: text });
      });

      it("reads back object keys of any characters, many of one length and first bytes", () => {
        const record: Record<string, number> = {};
        for (let n = 0; n < 600; n++) record[`ke${String.fromCodePoint(0x20 + n)}y`] = n;
        for (const key of ["", " ", "é", "😀", "a:b", "constructor", "toString", "__proto_"]) {
          record[key] = key.length;
        }
        expectRoundTrip(record);
        expectRoundTrip([record, record]);
      });

      it("reads back an own '__proto__' key as a key, leaving the prototype alone", () => {
        const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
        for (const decoded of readBack(value)) {
          expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
          expect(Object.keys(decoded as object)).toEqual(["__proto__", "a"]);
          expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({
            polluted: true,
          });
        }
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      });
    });

    describe("nested data", () => {
      it("reads back values 100 levels deep (the event data limit) and beyond", () => {
        for (const depth of [100, 101, 500]) expectRoundTrip(nested(depth));
      });

      it("reads back every kind of JSON value, mixed", () => {
        expectRoundTrip({
          nothing: null,
          yes: true,
          no: false,
          empty: { object: {}, array: [], string: "" },
          mixed: [1, "two", [3], { four: 4 }, null, true, 0.5, [[[]]], [{}]],
          wide: Object.fromEntries(Array.from({ length: 1_000 }, (_, n) => [`k${n}`, n])),
          long: Array.from({ length: 70_000 }, (_, n) => n - 35_000),
        });
      });

      it("reads every JSON value back as JSON.stringify and JSON.parse would", () => {
        fc.assert(
          fc.property(fc.jsonValue(), (value) => {
            const expected = JSON.parse(JSON.stringify(value)) as unknown;
            for (const decoded of readBack(value)) expect(decoded).toStrictEqual(expected);
          }),
          { numRuns: 500 },
        );
      });
    });

    describe("undefined fields", () => {
      it("drops object fields whose value is undefined, at any depth", () => {
        const value = { a: 1, b: undefined, c: { d: undefined, e: [{ f: undefined, g: 2 }] } };
        for (const decoded of readBack(value)) {
          expect(decoded).toStrictEqual({ a: 1, c: { e: [{ g: 2 }] } });
          expect(Object.hasOwn(decoded as object, "b")).toBe(false);
        }
      });

      it("leaves optional frame fields out of the message when undefined", () => {
        const frame = { ...SERVER_FRAMES["event (no history)"], offset: undefined };
        expectRoundTrip(frame, SERVER_FRAMES["event (no history)"]);
        const shorter = codec.encodeBytes(SERVER_FRAMES["event (no history)"]);
        expect(codec.encodeBytes(frame).length).toBe(shorter.length);
      });
    });

    describe("malformed messages", () => {
      const frames = Object.entries(ALL_FRAMES);

      it.each(cases.malformed)("refuses %s", (_what, message) => {
        expect(() => codec.decode(message)).toThrow(Error);
      });

      it("refuses an empty message", () => {
        expect(() => codec.decode(new Uint8Array(0))).toThrow(Error);
      });

      it("refuses every truncated frame", () => {
        for (const [name, frame] of frames) {
          const bytes = codec.encodeBytes(frame);
          for (let end = 1; end < bytes.length; end++) {
            expect(() => codec.decode(bytes.subarray(0, end)), `${name} cut at ${end}`).toThrow(
              Error,
            );
          }
        }
      });

      it("refuses a frame followed by more bytes, or by another frame", () => {
        const after = codec.encodeBytes(0);
        for (const [name, frame] of frames) {
          const bytes = codec.encodeBytes(frame);
          expect(() => codec.decode(join(bytes, after)), name).toThrow(Error);
          expect(() => codec.decode(join(bytes, bytes)), name).toThrow(Error);
        }
      });
    });
  });
}
