import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { msgpackCodec } from "../src/index.js";
import { codecContract } from "./codec-contract.js";

const bytes = (...values: number[]) => Uint8Array.from(values);
/** `__proto__` as a MessagePack string. */
const PROTO = [0xa9, ...Buffer.from("__proto__")];
const decodeHex = (hex: string) => msgpackCodec.decode(Buffer.from(hex, "hex"));

codecContract(msgpackCodec, {
  malformed: [
    ["a text message", "{}"],
    ["a text message of valid MessagePack bytes", "\u0080"],
    ["the never-used byte 0xc1", bytes(0xc1)],
    ["the never-used byte 0xc1 inside a frame", bytes(0x81, 0xa4, 0x64, 0x61, 0x74, 0x61, 0xc1)],
    ["the never-used byte 0xc1 in a nested array", bytes(0x92, 0x01, 0x91, 0xc1)],
    [
      "the never-used byte 0xc1 beside a '__proto__' key",
      bytes(0x82, ...PROTO, 0x01, 0xa1, 0x78, 0xc1),
    ],
    ["an unknown extension type", bytes(0xd4, 0x10, 0x00)],
    ["a structured-clone reference (0x70)", bytes(0xd4, 0x70, 0x00)],
    ["a structured-clone pointer (0x69)", bytes(0xd4, 0x69, 0x00)],
    ["a map key that is an array", bytes(0x81, 0x90, 0x01)],
    ["a map key that is a map", bytes(0x81, 0x80, 0x01)],
    [
      "a map key that is an array, beside a '__proto__' key",
      bytes(0x82, ...PROTO, 0x01, 0x90, 0x01),
    ],
    ["a map key that is binary data", bytes(0x81, 0xc4, 0x01, 0x41, 0x01)],
    ["a string longer than the message", bytes(0xa3, 0x41)],
    ["binary data longer than the message", bytes(0xc4, 0x05, 0x01)],
    ["an array of 2^32 - 1 items in 5 bytes", bytes(0xdd, 0xff, 0xff, 0xff, 0xff)],
    ["a map of 2^32 - 1 entries in 5 bytes", bytes(0xdf, 0xff, 0xff, 0xff, 0xff)],
  ],
});

describe("MessagePack codec", () => {
  it("decodes binary data to a plain Uint8Array copied out of the message", () => {
    const message = Buffer.from(msgpackCodec.encodeBytes({ data: Uint8Array.of(1, 2, 3) }));
    const decoded = msgpackCodec.decode(message) as { data: Uint8Array };
    expect(decoded.data.constructor).toBe(Uint8Array);
    message.fill(0);
    expect([...decoded.data]).toEqual([1, 2, 3]);
    expect(decoded.data.buffer.byteLength).toBe(3);
  });

  it("reads nil, boolean and number map keys as their text", () => {
    // {nil: 1, true: 2, 7: 3, -1: 4, 1.5: 5}
    expect(decodeHex("85c001c3020703ff04cb3ff800000000000005")).toStrictEqual({
      null: 1,
      true: 2,
      "7": 3,
      "-1": 4,
      "1.5": 5,
    });
  });

  it("reads a '__proto__' key beside keys of the other types as its text", () => {
    const decoded = msgpackCodec.decode(
      bytes(0x84, ...PROTO, 0x01, 0xc0, 0x02, 0x07, 0x03, 0xc3, 0x81, ...PROTO, 0x04),
    );
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded).toStrictEqual(
      JSON.parse('{"__proto__":1,"null":2,"7":3,"true":{"__proto__":4}}'),
    );
  });

  it("reads '__proto__' keys inside msgpackr's sets as own keys", () => {
    const value = new Set([JSON.parse('{"__proto__":{"a":1}}'), [JSON.parse('{"__proto__":2}')]]);
    const message = new Packr({ moreTypes: true, useRecords: false }).pack(value);
    const decoded = msgpackCodec.decode(message) as Set<unknown>;
    expect([...decoded]).toStrictEqual([...value]);
  });

  it("reads the bytes 0xc1 and '__proto__' inside numbers, strings and binary data as data", () => {
    const value = {
      float: -131_072.5,
      integer: 0xc1,
      binary: Uint8Array.of(0xc1, ...Buffer.from("__proto__")),
      text: "__proto__",
    };
    const message = msgpackCodec.encodeBytes(value);
    expect(message.includes(0xc1)).toBe(true);
    expect(msgpackCodec.decode(message)).toStrictEqual(value);
  });

  it("reads numbers in every MessagePack format a client may send", () => {
    const cases: [string, number][] = [
      ["cc80", 128],
      ["cd0100", 256],
      ["ce00010000", 65_536],
      ["cf0000000100000000", 2 ** 32],
      ["cf7fffffffffffffff", 2 ** 63],
      ["d0ff", -1],
      ["d1ff7f", -129],
      ["d2ffff7fff", -32_769],
      ["d3ffffffff7fffffff", -(2 ** 31) - 1],
      ["ca3fc00000", 1.5],
      ["cb3fc0000000000000", 0.125],
      ["cb8000000000000000", -0],
    ];
    for (const [hex, value] of cases) expect(decodeHex(hex), hex).toBe(value);
  });

  it("reads msgpackr's records and bundled strings as the objects and strings they encode", () => {
    const value = { type: "publish", id: 1, channel: "chat:1", event: "message", data: "hi" };
    for (const options of [{ useRecords: true }, { bundleStrings: true }]) {
      const message = new Packr(options).pack([value, value]);
      expect(msgpackCodec.decode(message), JSON.stringify(options)).toStrictEqual([value, value]);
    }
  });

  it("reads extension type 0 as undefined, the timestamp as a Date and 0x42 as a BigInt", () => {
    expect(decodeHex("d40000")).toBeUndefined();
    expect(decodeHex("d6ff00000001")).toEqual(new Date(1_000));
    expect(msgpackCodec.decode(new Packr({ useBigIntExtension: true }).pack(2n ** 70n))).toBe(
      2n ** 70n,
    );
  });
});
