import { describe, expect, it } from "vitest";
import { CODECS, codecByName, codecForSubprotocol, jsonCodec, msgpackCodec } from "../src/index.js";

describe("codec registry", () => {
  it("prefers JSON, then MessagePack, when a client offers both", () => {
    expect(CODECS).toEqual([jsonCodec, msgpackCodec]);
  });

  it("knows no subprotocol but its own", () => {
    for (const subprotocol of [
      "",
      "json",
      "switchyard.v2.json",
      "switchyard.v1.JSON",
      "switchyard.v1",
    ]) {
      expect(codecForSubprotocol(subprotocol), subprotocol).toBeUndefined();
    }
  });

  it("finds each codec by name", () => {
    expect(codecByName("json")).toBe(jsonCodec);
    expect(codecByName("msgpack")).toBe(msgpackCodec);
  });
});
