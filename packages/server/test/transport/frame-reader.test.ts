import { describe, expect, it, vi } from "vitest";
import { FrameReader, isValidCloseCode, unmask } from "../../src/transport/frame-reader.js";
import { clientClose, clientFrame, OPCODE } from "../helpers/client-frames.js";

type Seen =
  | { type: "message"; text: string; binary: boolean }
  | { type: "ping"; payload: string }
  | { type: "close"; code: number; reason: string }
  | { type: "error"; code: number };

/** A reader that writes down everything it reports. */
class RecordingReader extends FrameReader {
  readonly seen: Seen[] = [];
  /** The Buffers of the messages, to check which ones are views of a chunk. */
  readonly messages: Buffer[] = [];

  constructor(protected readonly maxPayload = 1 << 20) {
    super();
  }

  protected onMessage(data: Buffer, binary: boolean): void {
    this.messages.push(data);
    this.seen.push({ type: "message", text: data.toString(binary ? "hex" : "utf8"), binary });
  }

  protected onPing(payload: Buffer): void {
    this.seen.push({ type: "ping", payload: payload.toString() });
  }

  protected onClose(code: number, reason: Buffer): void {
    this.seen.push({ type: "close", code, reason: reason.toString() });
  }

  protected onProtocolError(code: number): void {
    this.seen.push({ type: "error", code });
  }
}

/** Feeds `bytes` to a fresh reader in chunks of `size` bytes (all at once without it). */
function readAll(bytes: Buffer, options: { size?: number; maxPayload?: number } = {}) {
  const reader = new RecordingReader(options.maxPayload);
  const size = options.size ?? bytes.length;
  // Fresh chunks, as sockets deliver them: the reader unmasks in place.
  for (let at = 0; at < bytes.length; at += size) reader.read(fresh(bytes.subarray(at, at + size)));
  return reader;
}

/** What a reader reports for `bytes`, checked to be the same whatever the chunking. */
function seenFor(bytes: Buffer, maxPayload?: number): Seen[] {
  const whole = readAll(bytes, { maxPayload }).seen;
  for (const size of [1, 2, 3, 5, 7, 64]) {
    expect(readAll(bytes, { size, maxPayload }).seen).toEqual(whole);
  }
  return whole;
}

/** A copy in memory of its own (never a slice of Node's shared pool), as sockets deliver. */
function fresh(bytes: Buffer): Buffer {
  const copy = Buffer.alloc(bytes.length);
  bytes.copy(copy);
  return copy;
}

const text = (value: string, options?: Parameters<typeof clientFrame>[2]) =>
  clientFrame(OPCODE.text, value, options);

describe("FrameReader: messages", () => {
  it("reads a text and a binary message", () => {
    const bytes = Buffer.concat([
      text("hello"),
      clientFrame(OPCODE.binary, Buffer.from([0, 1, 0xff])),
    ]);
    expect(seenFor(bytes)).toEqual([
      { type: "message", text: "hello", binary: false },
      { type: "message", text: "0001ff", binary: true },
    ]);
  });

  it("hands over a single-frame message inside one chunk as a view of the chunk", () => {
    const chunk = fresh(Buffer.concat([text("first"), text("second")]));
    const reader = new RecordingReader();
    reader.read(chunk);
    expect(reader.seen.map((seen) => seen.type === "message" && seen.text)).toEqual([
      "first",
      "second",
    ]);
    for (const message of reader.messages) expect(message.buffer).toBe(chunk.buffer);
  });

  it("copies a message split across chunks into a buffer of its own", () => {
    const frame = text("split across two chunks");
    const reader = new RecordingReader();
    const first = fresh(frame.subarray(0, 10));
    const second = fresh(frame.subarray(10));
    reader.read(first);
    reader.read(second);
    expect(reader.seen).toEqual([
      { type: "message", text: "split across two chunks", binary: false },
    ]);
    expect(reader.messages[0]?.buffer).not.toBe(first.buffer);
    expect(reader.messages[0]?.buffer).not.toBe(second.buffer);
  });

  it("allocates for the bytes that arrived, not for the length a header announces", () => {
    const payload = Buffer.alloc(1 << 20, 1);
    const frame = clientFrame(OPCODE.binary, payload);
    const first = fresh(frame.subarray(0, 100));
    const rest = fresh(frame.subarray(100));
    const reader = new RecordingReader(1 << 20);
    const allocations = vi.spyOn(Buffer, "allocUnsafe");
    try {
      reader.read(first);
      expect(Math.max(...allocations.mock.calls.map(([size]) => size))).toBeLessThanOrEqual(4096);
    } finally {
      allocations.mockRestore();
    }
    reader.read(rest);
    // Buffer#equals, not a deep equality: element by element, 1 MiB takes seconds on a busy machine.
    expect(reader.messages).toHaveLength(1);
    expect(reader.messages[0]?.equals(payload)).toBe(true);
  });

  it("reads empty messages, and a fragmented one whose last fragment is empty", () => {
    const bytes = Buffer.concat([
      text(""),
      text("ab", { fin: false }),
      clientFrame(OPCODE.continuation, ""),
      clientFrame(OPCODE.binary, "", { fin: false }),
      clientFrame(OPCODE.continuation, ""),
    ]);
    expect(seenFor(bytes)).toEqual([
      { type: "message", text: "", binary: false },
      { type: "message", text: "ab", binary: false },
      { type: "message", text: "", binary: true },
    ]);
  });

  it("reads 16-bit and 64-bit payload lengths", () => {
    const medium = "m".repeat(126);
    const large = "L".repeat(65_535);
    const huge = Buffer.alloc(70_000, 7);
    const bytes = Buffer.concat([text(medium), text(large), clientFrame(OPCODE.binary, huge)]);
    // Byte-at-a-time over 135 kB is slow for nothing; three chunkings cover the boundaries.
    const whole = readAll(bytes).seen;
    expect(whole).toEqual([
      { type: "message", text: medium, binary: false },
      { type: "message", text: large, binary: false },
      { type: "message", text: huge.toString("hex"), binary: true },
    ]);
    for (const size of [3, 1000, 65_536]) expect(readAll(bytes, { size }).seen).toEqual(whole);
    expect(text(medium)[1]).toBe(0x80 | 126);
    expect(clientFrame(OPCODE.binary, huge)[1]).toBe(0x80 | 127);
  });

  it("reads every message the same when fed one byte at a time", () => {
    const bytes = Buffer.concat([
      text("one"),
      clientFrame(OPCODE.ping, "p"),
      text("tw", { fin: false }),
      clientFrame(OPCODE.continuation, "o"),
      clientFrame(OPCODE.binary, Buffer.from("three")),
      clientClose(1000, "bye"),
    ]);
    expect(readAll(bytes, { size: 1 }).seen).toEqual([
      { type: "message", text: "one", binary: false },
      { type: "ping", payload: "p" },
      { type: "message", text: "two", binary: false },
      { type: "message", text: Buffer.from("three").toString("hex"), binary: true },
      { type: "close", code: 1000, reason: "bye" },
    ]);
  });

  it("assembles a fragmented message with pings and pongs between its fragments", () => {
    const bytes = Buffer.concat([
      text("Hel", { fin: false }),
      clientFrame(OPCODE.ping, "between"),
      clientFrame(OPCODE.continuation, "lo, ", { fin: false }),
      clientFrame(OPCODE.pong, "ignored"),
      clientFrame(OPCODE.continuation, "world"),
    ]);
    expect(seenFor(bytes)).toEqual([
      { type: "ping", payload: "between" },
      { type: "message", text: "Hello, world", binary: false },
    ]);
  });

  it("accepts UTF-8 characters split across fragments and chunks", () => {
    const euro = Buffer.from("€"); // three bytes
    const bytes = Buffer.concat([
      clientFrame(OPCODE.text, euro.subarray(0, 1), { fin: false }),
      clientFrame(OPCODE.continuation, euro.subarray(1, 2), { fin: false }),
      clientFrame(OPCODE.continuation, Buffer.concat([euro.subarray(2), Buffer.from("5")])),
    ]);
    expect(seenFor(bytes)).toEqual([{ type: "message", text: "€5", binary: false }]);
  });

  it("accepts a message of exactly maxPayload bytes, in one frame or in fragments", () => {
    const bytes = Buffer.concat([
      text("x".repeat(10)),
      text("y".repeat(6), { fin: false }),
      clientFrame(OPCODE.continuation, "z".repeat(4)),
    ]);
    expect(seenFor(bytes, 10)).toEqual([
      { type: "message", text: "x".repeat(10), binary: false },
      { type: "message", text: `${"y".repeat(6)}${"z".repeat(4)}`, binary: false },
    ]);
  });
});

describe("FrameReader: protocol errors", () => {
  /** The code of the error `bytes` cause, checked for every chunking, and nothing after it. */
  function errorFor(bytes: Buffer, maxPayload?: number): number | undefined {
    const seen = seenFor(Buffer.concat([bytes, text("never read")]), maxPayload);
    const last = seen.at(-1);
    expect(last?.type).toBe("error");
    return last?.type === "error" ? last.code : undefined;
  }

  it("fails unmasked client frames with 1002", () => {
    expect(errorFor(text("plain", { masked: false }))).toBe(1002);
  });

  it("fails frames with RSV1, RSV2 or RSV3 set with 1002", () => {
    for (const rsv of [0x40, 0x20, 0x10]) expect(errorFor(text("x", { rsv }))).toBe(1002);
  });

  it("fails unknown opcodes with 1002", () => {
    for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      expect(errorFor(clientFrame(opcode, "x"))).toBe(1002);
    }
  });

  it("fails fragmented control frames and control payloads over 125 bytes with 1002", () => {
    expect(errorFor(clientFrame(OPCODE.ping, "x", { fin: false }))).toBe(1002);
    expect(errorFor(clientFrame(OPCODE.ping, "p".repeat(126)))).toBe(1002);
    expect(errorFor(clientFrame(OPCODE.pong, "p".repeat(126)))).toBe(1002);
    expect(seenFor(clientFrame(OPCODE.ping, "p".repeat(125)))).toEqual([
      { type: "ping", payload: "p".repeat(125) },
    ]);
  });

  it("fails a continuation frame without a message to continue with 1002", () => {
    expect(errorFor(clientFrame(OPCODE.continuation, "x"))).toBe(1002);
    expect(errorFor(Buffer.concat([text("done"), clientFrame(OPCODE.continuation, "x")]))).toBe(
      1002,
    );
  });

  it("fails a new message inside a fragmented one with 1002", () => {
    expect(errorFor(Buffer.concat([text("a", { fin: false }), text("b")]))).toBe(1002);
    const binary = clientFrame(OPCODE.binary, "b");
    expect(errorFor(Buffer.concat([text("a", { fin: false }), binary]))).toBe(1002);
  });

  it("fails a message over maxPayload with 1009, across fragments too, before reading it", () => {
    expect(errorFor(text("x".repeat(11)), 10)).toBe(1009);
    const fragments = Buffer.concat([
      text("y".repeat(6), { fin: false }),
      clientFrame(OPCODE.continuation, "z".repeat(5)),
    ]);
    expect(errorFor(fragments, 10)).toBe(1009);
    // Only the header of the too-big frame arrives: the error comes before its payload.
    const reader = new RecordingReader(10);
    reader.read(text("x".repeat(100)).subarray(0, 6));
    expect(reader.seen).toEqual([{ type: "error", code: 1009 }]);
  });

  it("fails 64-bit lengths with the high bits set with 1009", () => {
    const header = Buffer.from([0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]);
    expect(errorFor(header)).toBe(1009);
    const beyond53Bits = Buffer.from([0x82, 0x80 | 127, 0, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(errorFor(beyond53Bits)).toBe(1009);
  });

  it("fails text that is not UTF-8 with 1007, in one frame or across fragments", () => {
    expect(errorFor(clientFrame(OPCODE.text, Buffer.from([0x68, 0xff])))).toBe(1007);
    const euro = Buffer.from("€");
    const truncated = Buffer.concat([
      clientFrame(OPCODE.text, euro.subarray(0, 2), { fin: false }),
      clientFrame(OPCODE.continuation, "!"),
    ]);
    expect(errorFor(truncated)).toBe(1007);
    // Binary messages are bytes: nothing to check.
    expect(seenFor(clientFrame(OPCODE.binary, Buffer.from([0xff])))).toEqual([
      { type: "message", text: "ff", binary: true },
    ]);
  });

  it("fails a one-byte close payload with 1002", () => {
    expect(errorFor(clientFrame(OPCODE.close, Buffer.from([3])))).toBe(1002);
  });

  it("fails invalid close codes with 1002", () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65_535]) {
      expect(errorFor(clientClose(code))).toBe(1002);
    }
  });

  it("fails a close reason that is not UTF-8 with 1007", () => {
    expect(errorFor(clientClose(1000, Buffer.from([0xc3])))).toBe(1007);
  });
});

describe("FrameReader: close frames", () => {
  it("reports the code and reason, or 1005 for a close without a code, and reads no further", () => {
    expect(seenFor(Buffer.concat([clientClose(4000, "done"), text("after")]))).toEqual([
      { type: "close", code: 4000, reason: "done" },
    ]);
    expect(seenFor(Buffer.concat([clientFrame(OPCODE.close), text("after")]))).toEqual([
      { type: "close", code: 1005, reason: "" },
    ]);
  });

  it("accepts the close codes RFC 6455 and IANA allow", () => {
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (const code of [...valid, 3000, 3999, 4000, 4999]) {
      expect(seenFor(clientClose(code))).toEqual([{ type: "close", code, reason: "" }]);
    }
    const codes = Array.from({ length: 6000 }, (_, code) => code).filter(isValidCloseCode);
    expect(codes.length).toBe(valid.length + 2000);
  });
});

describe("unmask", () => {
  it("XORs with the mask from any payload offset, in place or into another buffer", () => {
    const mask = 0x37fa213d;
    const maskBytes = [0x37, 0xfa, 0x21, 0x3d];
    const source = Buffer.from(Array.from({ length: 11 }, (_, i) => i * 23));
    for (let offset = 0; offset < 4; offset++) {
      for (let count = 0; count <= source.length; count++) {
        const expected = source.subarray(0, count).map((b, i) => b ^ maskBytes[(offset + i) % 4]!);
        const target = Buffer.alloc(count + 2);
        unmask(target, 2, source, 0, count, mask, offset);
        expect(target.subarray(2)).toEqual(expected);
        const inPlace = Buffer.from(source.subarray(0, count));
        unmask(inPlace, 0, inPlace, 0, count, mask, offset);
        expect(inPlace).toEqual(expected);
      }
    }
  });
});
