import { describe, expect, it } from "vitest";
import { isStreamPosition, type ParsedFrame, parseClientFrame } from "../src/index.js";
import { CLIENT_FRAMES } from "./frame-samples.js";

type Fields = Record<string, unknown>;

const REQUEST_TYPES = ["connect", "subscribe", "unsubscribe", "publish", "rpc", "refresh", "ping"];

/** A valid frame of each request type, with only its required fields. */
const MINIMAL: Record<string, Fields> = {
  connect: { type: "connect", id: 1 },
  subscribe: { type: "subscribe", id: 1, channel: "job:1" },
  unsubscribe: { type: "unsubscribe", id: 1, channel: "job:1" },
  publish: { type: "publish", id: 1, channel: "job:1", event: "progress" },
  rpc: { type: "rpc", id: 1, method: "sim.start" },
  refresh: { type: "refresh", id: 1, token: "eyJ" },
  ping: { type: "ping", id: 1 },
};

const position = (epoch: unknown, offset: unknown) => ({ epoch, offset });

/**
 * For each field of each request: values the parser refuses and values at the edge it
 * accepts (`undefined` leaves the field out).
 */
const FIELDS: { type: string; field: string; bad: unknown[]; good: unknown[] }[] = [
  {
    type: "connect",
    field: "token",
    bad: [1, null, {}, ["eyJ"], "t".repeat(16_385)],
    good: [undefined, "", "t".repeat(16_384)],
  },
  { type: "connect", field: "sessionId", bad: [1, null, {}, true], good: [undefined, "s-1"] },
  {
    type: "connect",
    field: "sdk",
    bad: [1, null, {}, ["py"], "s".repeat(65)],
    good: [undefined, "", "@switchyard/client@0.1.0", "s".repeat(64)],
  },
  { type: "connect", field: "data", bad: [], good: [undefined, null, 1, "x", [1], { room: 7 }] },
  {
    type: "connect",
    field: "since",
    bad: [
      null,
      "k3x9",
      1,
      [position("e", 1)],
      { "$user:a": null },
      { "$user:a": position(1, 0) },
      { "$user:a": position("e", -1) },
      { "$user:a": position("e", 1.5) },
      { "$user:a": position("e", "1") },
      { "$user:a": position("e", 2 ** 53) },
      { "$user:a": position("e".repeat(129), 0) },
      { "$user:a": { epoch: "e" } },
      { "$user:a": { offset: 0 } },
      { "$user:a": position("e", 1), "$session:s": position("e", -1) },
    ],
    good: [
      undefined,
      {},
      { "$user:a": position("", 0) },
      { "$user:a": position("e".repeat(128), 2 ** 53 - 1), "$session:s": position("f", 3) },
    ],
  },
  {
    type: "subscribe",
    field: "channel",
    bad: [undefined, null, 1, ["job:1"]],
    // The syntax of the name is the hub's check (invalid_channel), not the parser's.
    good: ["job:1", "", "not a channel"],
  },
  {
    type: "subscribe",
    field: "since",
    bad: [null, {}, 12, "e:12", [position("e", 1)], position("e", -1), position(null, 1)],
    good: [undefined, position("e", 0), position("", 2 ** 53 - 1)],
  },
  {
    type: "subscribe",
    field: "events",
    bad: [null, "progress", {}, [1], ["progress", null], Array(257).fill("progress")],
    // Each name's syntax is the hub's check.
    good: [undefined, [], ["progress", "not a name"], Array(256).fill("progress")],
  },
  { type: "unsubscribe", field: "channel", bad: [undefined, null, 1, {}], good: ["job:1"] },
  { type: "publish", field: "channel", bad: [undefined, null, 1], good: ["job:1"] },
  { type: "publish", field: "event", bad: [undefined, null, 1, ["progress"]], good: ["x"] },
  {
    type: "publish",
    field: "idempotencyKey",
    bad: [null, 1, {}, "", "k".repeat(257)],
    good: [undefined, "k", "k".repeat(256)],
  },
  { type: "publish", field: "data", bad: [], good: [undefined, null, 0, "x", [1], { a: 1 }] },
  {
    type: "rpc",
    field: "method",
    bad: [undefined, null, 1, "m".repeat(129)],
    good: ["", "m".repeat(128)],
  },
  { type: "rpc", field: "data", bad: [], good: [undefined, null, { grid: 64 }] },
  {
    type: "refresh",
    field: "token",
    bad: [undefined, null, 1, "t".repeat(16_385)],
    good: ["", "t".repeat(16_384)],
  },
];

/** `base` with `field` set to `value`, or left out when `value` is undefined. */
function withField(base: Fields, field: string, value: unknown): Fields {
  const frame = { ...base };
  if (value === undefined) delete frame[field];
  else frame[field] = value;
  return frame;
}

function refusal(parsed: ParsedFrame) {
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(parsed.frame)}`);
  return parsed;
}

describe("parseClientFrame", () => {
  it.each(Object.entries(CLIENT_FRAMES))("accepts the spec's %s frame as it is", (_name, frame) => {
    expect(parseClientFrame(frame)).toEqual({ ok: true, frame });
  });

  it("accepts every request with only its required fields, and ignores unknown fields", () => {
    for (const frame of Object.values(MINIMAL)) {
      expect(parseClientFrame(frame)).toEqual({ ok: true, frame });
      const extra = { ...frame, future: { field: true } };
      expect(parseClientFrame(extra)).toEqual({ ok: true, frame: extra });
    }
  });

  it("accepts a pong without an id, and gives it only its type", () => {
    expect(parseClientFrame({ type: "pong" })).toEqual({ ok: true, frame: { type: "pong" } });
    expect(parseClientFrame({ type: "pong", id: "x", at: 1 })).toEqual({
      ok: true,
      frame: { type: "pong" },
    });
  });

  it("refuses a value that is not an object with invalid_frame and no id", () => {
    for (const value of [null, undefined, 1, "ping", true, [], [{ type: "ping", id: 1 }]]) {
      expect(parseClientFrame(value), JSON.stringify(value)).toEqual({
        ok: false,
        id: undefined,
        code: "invalid_frame",
        message: "A frame must be an object",
      });
    }
  });

  it("refuses a type that is not a string with invalid_frame naming 'type', keeping a usable id", () => {
    for (const type of [undefined, null, 1, ["ping"], { name: "ping" }]) {
      for (const id of [7, undefined, -1]) {
        const parsed = refusal(parseClientFrame(withField({ id }, "type", type)));
        expect(parsed.code).toBe("invalid_frame");
        expect(parsed.id).toBe(id === 7 ? 7 : undefined);
        expect(parsed.message).toContain("'type'");
      }
    }
  });

  it("refuses an unknown type with unknown_frame_type naming it, with the id when usable", () => {
    const unknown = ["bogus", "", "Ping", "PING", "reply", "event", "error", "toString"];
    for (const type of [...unknown, "constructor", "__proto__", "hasOwnProperty"]) {
      expect(parseClientFrame({ type, id: 4 }), type).toEqual({
        ok: false,
        id: 4,
        code: "unknown_frame_type",
        message: `Unknown type '${type}'`,
      });
      expect(refusal(parseClientFrame({ type, id: 1.5 })).id).toBeUndefined();
      expect(refusal(parseClientFrame({ type })).code).toBe("unknown_frame_type");
    }
  });

  it.each(REQUEST_TYPES)("refuses a %s without a non-negative integer id, naming 'id'", (type) => {
    const base = MINIMAL[type] as Fields;
    for (const id of [undefined, null, -1, 1.5, "1", [1], Number.NaN, Infinity, 2 ** 53]) {
      expect(parseClientFrame(withField(base, "id", id)), String(id)).toEqual({
        ok: false,
        id: undefined,
        code: "invalid_frame",
        message: "Field 'id' must be a non-negative integer",
      });
    }
    for (const id of [0, 1, 2 ** 53 - 1]) {
      expect(parseClientFrame(withField(base, "id", id)).ok, String(id)).toBe(true);
    }
  });

  describe.each(FIELDS)("$type.$field", ({ type, field, bad, good }) => {
    const base = MINIMAL[type] as Fields;

    if (bad.length > 0) {
      it("is refused with invalid_frame naming the field, with the id", () => {
        for (const value of bad) {
          const parsed = refusal(parseClientFrame(withField(base, field, value)));
          const shown = JSON.stringify(value)?.slice(0, 40);
          expect({ code: parsed.code, id: parsed.id }, shown).toEqual({
            code: "invalid_frame",
            id: 1,
          });
          expect(parsed.message, shown).toContain(`'${field}'`);
        }
      });
    }

    it("is accepted at the edges of what it may be", () => {
      for (const value of good) {
        const frame = withField(base, field, value);
        expect(parseClientFrame(frame), JSON.stringify(value)?.slice(0, 40)).toEqual({
          ok: true,
          frame,
        });
      }
    });
  });

  it("says the limit when a string or list is too long", () => {
    const cases: [Fields, string][] = [
      [{ ...MINIMAL.connect, token: "t".repeat(16_385) }, "16384"],
      [{ ...MINIMAL.connect, sdk: "s".repeat(65) }, "64"],
      [{ ...MINIMAL.refresh, token: "t".repeat(16_385) }, "16384"],
      [{ ...MINIMAL.rpc, method: "m".repeat(129) }, "128"],
      [{ ...MINIMAL.publish, idempotencyKey: "k".repeat(257) }, "256"],
      [{ ...MINIMAL.publish, idempotencyKey: "" }, "1 to 256"],
      [{ ...MINIMAL.subscribe, events: Array(257).fill("progress") }, "256"],
      [{ ...MINIMAL.subscribe, since: position("e".repeat(129), 0) }, "128"],
      [{ ...MINIMAL.connect, since: { "$user:a": position("e".repeat(129), 0) } }, "128"],
    ];
    for (const [frame, limit] of cases) {
      expect(
        refusal(parseClientFrame(frame)).message,
        JSON.stringify(frame).slice(0, 40),
      ).toContain(limit);
    }
  });
});

describe("isStreamPosition", () => {
  it("accepts {epoch, offset} within the limits, and extra fields", () => {
    for (const value of [
      position("", 0),
      position("e".repeat(128), 2 ** 53 - 1),
      { epoch: "k3x9", offset: 12, recovered: true },
    ]) {
      expect(isStreamPosition(value), JSON.stringify(value)).toBe(true);
    }
  });

  it("refuses anything else", () => {
    for (const value of [
      null,
      undefined,
      [],
      ["e", 1],
      "e:1",
      {},
      { epoch: "e" },
      { offset: 1 },
      position("e".repeat(129), 0),
      position(1, 1),
      position("e", -1),
      position("e", 0.5),
      position("e", 2 ** 53),
      position("e", Number.NaN),
      position("e", "1"),
    ]) {
      expect(isStreamPosition(value), JSON.stringify(value)).toBe(false);
    }
  });
});
