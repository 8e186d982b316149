import { describe, expect, it } from "vitest";
import { jsonCodec } from "../src/index.js";
import { codecContract } from "./codec-contract.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

codecContract(jsonCodec, {
  malformed: [
    ["text that is not JSON", "{not json"],
    ["single quotes", "{'type':'ping'}"],
    ["a missing value", '{"type":"ping","id":}'],
    ["a trailing comma", '{"type":"ping",}'],
    ["NaN", "NaN"],
    ["undefined", "undefined"],
    ["an empty text", ""],
    ["bytes that are not UTF-8", bytes(0x7b, 0xff, 0x7d)],
    ["an overlong UTF-8 sequence in a string", bytes(0x22, 0xc0, 0xaf, 0x22)],
    ["a surrogate encoded in UTF-8", bytes(0x22, 0xed, 0xa0, 0x80, 0x22)],
    ["a cut UTF-8 sequence", bytes(0x22, 0xe2, 0x82, 0x22)],
  ],
});

describe("JSON codec", () => {
  it("writes what JSON.stringify writes: readable in a browser console", () => {
    const frame = { type: "event", channel: "demo:1", event: "hello", data: { n: 1 }, offset: 1 };
    expect(jsonCodec.encode(frame)).toBe(
      '{"type":"event","channel":"demo:1","event":"hello","data":{"n":1},"offset":1}',
    );
  });

  it("writes binary data as an object of its bytes keyed by index", () => {
    expect(jsonCodec.encode({ data: Uint8Array.of(1, 2) })).toBe('{"data":{"0":1,"1":2}}');
  });

  it("joins a batch with commas inside brackets", () => {
    const parts = ['{"type":"ping"}', "1"].map((text) => new TextEncoder().encode(text));
    expect(new TextDecoder().decode(jsonCodec.batch(parts))).toBe('[{"type":"ping"},1]');
  });
});
