import { describe, expect, it } from "vitest";
import { msgpackCodec } from "../src/index.js";

const hex = (value: unknown) => Buffer.from(msgpackCodec.encodeBytes(value)).toString("hex");

describe("numbers in the MessagePack codec", () => {
  it("encodes integers as MessagePack integers of the smallest width", () => {
    const cases: [number, string][] = [
      [0, "00"],
      [127, "7f"],
      [128, "cc80"],
      [65_535, "cdffff"],
      [65_536, "ce00010000"],
      [2 ** 32 - 1, "ceffffffff"],
      [2 ** 32, "d30000000100000000"],
      [1_764_000_000_123, "d30000019ab697e87b"],
      [Number.MAX_SAFE_INTEGER, "d3001fffffffffffff"],
      [2 ** 63, "cf8000000000000000"],
      [2 ** 64 - 2 ** 11, "cffffffffffffff800"],
      [-1, "ff"],
      [-32, "e0"],
      [-33, "d0df"],
      [-129, "d1ff7f"],
      [-32_769, "d2ffff7fff"],
      [-(2 ** 31), "d280000000"],
      [-(2 ** 31) - 1, "d3ffffffff7fffffff"],
      [-(2 ** 63), "d38000000000000000"],
    ];
    for (const [value, bytes] of cases) {
      expect(hex(value), String(value)).toBe(bytes);
      expect(msgpackCodec.decode(msgpackCodec.encodeBytes(value)), String(value)).toBe(value);
    }
  });

  it("encodes every other number as a float 64", () => {
    for (const [value, bytes] of [
      [0.5, "cb3fe0000000000000"],
      [-1.5, "cbbff8000000000000"],
      [2 ** 64, "cb43f0000000000000"],
      [-(2 ** 64), "cbc3f0000000000000"],
    ] as const) {
      expect(hex(value), String(value)).toBe(bytes);
      expect(msgpackCodec.decode(msgpackCodec.encodeBytes(value))).toBe(value);
    }
  });

  it("encodes integers inside arrays and maps the same way, leaving the value as it was", () => {
    const frame = { type: "event", data: { at: [2 ** 40, 1] }, timestamp: 1_764_000_000_123 };
    const encoded = msgpackCodec.encode(frame) as Uint8Array;
    const bytes = Buffer.from(encoded).toString("hex");
    expect(bytes).toContain("92d3000001000000000001"); // [2^40, 1]
    expect(bytes).toContain(`${Buffer.from("\xa9timestamp", "latin1").toString("hex")}d3`);
    expect(msgpackCodec.decode(encoded)).toEqual(frame);
    expect(frame.data.at[0]).toBe(2 ** 40);
  });
});

describe("numbers under keys every object has, and in objects without a prototype", () => {
  it("writes them as integers and reads the keys back as own keys", () => {
    const value = JSON.parse('{"__proto__":{"at":1099511627776},"constructor":1099511627777}');
    const bare = Object.assign(Object.create(null) as object, { at: 2 ** 40 });
    for (const [sent, expected] of [
      [value, value],
      [bare, { at: 2 ** 40 }],
    ] as const) {
      const bytes = Buffer.from(msgpackCodec.encodeBytes(sent));
      expect(bytes.toString("hex")).toContain("d30000010000000000");
      const decoded = msgpackCodec.decode(bytes);
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(decoded).toStrictEqual(expected);
    }
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ at: 2 ** 40 });
  });
});
