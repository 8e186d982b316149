/**
 * Event data is checked before the broker gives it an offset: JSON values (and binary data as
 * a Uint8Array) are published and reach subscribers of both codecs; anything else is refused
 * with `invalid_data` naming where it is and what it is, and leaves nothing behind: no offset,
 * no history, no gap, no second reply.
 */
import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { createHttpApi } from "../src/http/http-api.js";
import type { Hub } from "../src/index.js";
import { connected, OPEN_POLICY, type RawClient, startHub } from "./helpers/fixtures.js";
import { hexBytes, publishFrame } from "./helpers/msgpack-frames.js";
import { untilOffset } from "./helpers/streams.js";

type Frame = Record<string, unknown>;

const CH = "lab:1";
const API_KEY = "event-data-test-key";

/** A hub with a JSON and a MessagePack subscriber of {@link CH}. */
async function setup() {
  const fixture = await startHub(OPEN_POLICY);
  const json = await connected(fixture.url);
  const binary = await connected(fixture.url, {}, { codec: "msgpack" });
  const subscribed = await json.request({ type: "subscribe", channel: CH });
  await binary.request({ type: "subscribe", channel: CH });
  const { epoch } = subscribed.result as { epoch: string };
  return { ...fixture, json, binary, epoch, subscribers: [json, binary] };
}

/** The replies and error frames a client received from frame index `from` on, by id. */
function answers(client: RawClient, from = 0): unknown[] {
  return client.frames
    .slice(from)
    .filter((f) => f.type === "reply" || f.type === "error")
    .map((f) => f.id ?? "error frame");
}

/** What a subscriber received on {@link CH}: `[offset, event, data]`. */
function received(client: RawClient): unknown[] {
  return client.events(CH).map((f) => [f.offset, f.event, f.data]);
}

/** The error a promise rejected with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!(error instanceof SwitchyardError)) throw error;
  return error;
}

/** Publishes a marker from server code and waits until every subscriber has it. */
async function marker(hub: Hub, subscribers: RawClient[]): Promise<number> {
  const { offset } = await hub.publish(CH, "marker", null);
  for (const subscriber of subscribers) await untilOffset(subscriber, CH, offset!);
  return offset!;
}

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("event data from a MessagePack client", () => {
  it("refuses a BigInt (d4 42 01) before it gets an offset: nothing stored, no gap", async () => {
    const { hub, url, epoch, subscribers } = await setup();
    const publisher = await connected(url, {}, { codec: "msgpack" });
    const from = publisher.frames.length;
    publisher.sendRaw(
      publishFrame({ id: 50, channel: CH, event: "big" }, hexBytes("d4 42 01")),
      true,
    );
    const refused = await publisher.next((f) => f.type === "reply" && f.id === 50);
    expect(refused).toEqual({
      type: "reply",
      id: 50,
      error: {
        code: "invalid_data",
        message: "data is a BigInt; event data must be JSON values (binary data as a Uint8Array)",
        details: { field: "data", path: "data", type: "BigInt" },
      },
    });

    const next = await publisher.request({ type: "publish", channel: CH, event: "n", data: 1 });
    expect(next.result).toEqual({ offset: 1, epoch });
    for (const subscriber of subscribers) {
      await untilOffset(subscriber, CH, 1);
      expect(received(subscriber)).toEqual([[1, "n", 1]]);
    }
    await publisher.request({ type: "ping" });
    expect(answers(publisher, from)).toEqual([50, 2, 3]);

    // History answers, over the HTTP API too, and holds only the event that was published.
    expect((await hub.history(CH)).events.map((e) => [e.offset, e.data])).toEqual([[1, 1]]);
    const api = createHttpApi(hub, { apiKey: API_KEY });
    const response = await api.request(`/api/channels/${encodeURIComponent(CH)}/history`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { events: unknown[] }).events).toHaveLength(1);

    // Recovering from the start replays exactly that event, after exactly one reply.
    for (const codec of ["json", "msgpack"] as const) {
      const late = await connected(url, {}, { codec });
      const start = late.frames.length;
      const reply = await late.request({
        type: "subscribe",
        channel: CH,
        since: { epoch, offset: 0 },
      });
      expect(reply.result).toMatchObject({ recovered: true, offset: 0 });
      await untilOffset(late, CH, 1);
      await late.request({ type: "ping" });
      expect(answers(late, start)).toEqual([2, 3]);
      expect(received(late)).toEqual([[1, "n", 1]]);
    }
  });
});

describe("event data from server code", () => {
  /** `[what, data, path, type]`: each value is refused, with this path and type. */
  const refusedCases: [string, unknown, string, string][] = [
    ["a BigInt", 1n, "data", "BigInt"],
    ["a nested BigInt", { a: [1, 2, 3n] }, "data.a[2]", "BigInt"],
    ["a Date", { when: new Date(0) }, "data.when", "Date"],
    ["a Map", new Map([["a", 1]]), "data", "Map"],
    ["a Set", { tags: new Set(["a"]) }, "data.tags", "Set"],
    ["a typed array", { samples: new Float32Array(2) }, "data.samples", "Float32Array"],
    ["an ArrayBuffer", { raw: new ArrayBuffer(2) }, "data.raw", "ArrayBuffer"],
    ["a Node Buffer", { file: Buffer.from("hi") }, "data.file", "Buffer"],
    ["undefined in an array", [1, undefined], "data[1]", "undefined"],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    ["a hole in an array", [1, , 3], "data[1]", "undefined"],
    ["NaN", { x: Number.NaN }, "data.x", "NaN"],
    ["Infinity", { "a b": Number.POSITIVE_INFINITY }, 'data["a b"]', "Infinity"],
    ["-Infinity", [Number.NEGATIVE_INFINITY], "data[0]", "-Infinity"],
    ["a function", { f: () => 1 }, "data.f", "function"],
    ["a symbol", { s: Symbol("s") }, "data.s", "symbol"],
    ["a class instance", { p: new (class Point {})() }, "data.p", "Point"],
    ["an Error", new Error("x"), "data", "Error"],
    ["a RegExp", { re: /x/ }, "data.re", "RegExp"],
    ["an Array subclass", new (class Row extends Array {})(), "data", "Row"],
    ["a lone surrogate", { s: "a\ud800" }, "data.s", "lone surrogate"],
    ["a key with a lone surrogate", { "\udc00": 1 }, 'data["\\udc00"]', "lone surrogate"],
    ["101 levels of nesting", nested(101), `data${"[0]".repeat(100)}`, "too deep"],
  ];

  it("refuses every value that is not JSON, naming its path and type; nothing is published", async () => {
    const { hub, subscribers } = await setup();
    for (const [what, data, path, type] of refusedCases) {
      const error = await rejection(hub.publish(CH, "e", data));
      expect(error.code, what).toBe("invalid_data");
      expect(error.details, what).toEqual({ field: "data", path, type });
      expect(error.message, what).toMatch(/; event data must be JSON values/);
    }
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const error = await rejection(hub.publish(CH, "e", cyclic));
    expect(error.details).toMatchObject({ path: `data${".self".repeat(100)}`, type: "too deep" });
    expect(error.message).toMatch(/nests deeper than 100 levels/);

    expect(await marker(hub, subscribers)).toBe(1);
    for (const subscriber of subscribers)
      expect(received(subscriber)).toEqual([[1, "marker", null]]);
    expect((await hub.history(CH)).events).toHaveLength(1);
  });

  it("publishes JSON values and binary data to both codecs alike", async () => {
    const { hub, json, binary } = await setup();
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const values: unknown[] = [
      null,
      true,
      0,
      -1.5,
      Number.MAX_SAFE_INTEGER,
      1e21,
      "text 😀",
      [],
      { a: [1, { b: "c" }], "": "empty key" },
      Object.assign(Object.create(null) as object, { bare: 1 }),
      nested(100),
      { bytes },
    ];
    for (const data of values) await hub.publish(CH, "e", data);
    await untilOffset(json, CH, values.length);
    await untilOffset(binary, CH, values.length);
    expect(binary.events(CH).map((f) => f.data)).toEqual(values);
    // JSON has no binary type: a JSON subscriber reads the bytes as an object keyed by index.
    const asJson = values.map((value) => JSON.parse(JSON.stringify(value)) as unknown);
    expect(asJson.at(-1)).toEqual({ bytes: { 0: 0, 1: 1, 2: 254, 3: 255 } });
    expect(json.events(CH).map((f) => f.data)).toEqual(asJson);
  });

  it("drops object fields that are undefined, as both codecs do", async () => {
    const { hub, subscribers } = await setup();
    await hub.publish(CH, "e", { keep: 1, drop: undefined });
    for (const subscriber of subscribers) {
      await untilOffset(subscriber, CH, 1);
      expect(received(subscriber)).toEqual([[1, "e", { keep: 1 }]]);
    }
  });
});

describe("every publish path passes the same check", () => {
  it("JSON clients: a lone surrogate or 101 levels of nesting are refused", async () => {
    const { hub, url, subscribers } = await setup();
    const publisher = await connected(url);
    const from = publisher.frames.length;
    for (const [data, type] of [
      [{ s: "\ud83d" }, "lone surrogate"],
      [nested(101), "too deep"],
    ] as const) {
      const reply = await publisher.request({ type: "publish", channel: CH, event: "e", data });
      expect(reply.error).toMatchObject({ code: "invalid_data", details: { type } });
    }
    expect(answers(publisher, from)).toEqual([2, 3]);
    expect(await marker(hub, subscribers)).toBe(1);
  });

  it("the HTTP API answers 422 invalid_data, for one event and for an item of an array", async () => {
    const { hub, subscribers } = await setup();
    const api = createHttpApi(hub, { apiKey: API_KEY });
    const post = async (body: string) => {
      const response = await api.request("/api/publish", {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body,
      });
      return { status: response.status, json: (await response.json()) as { error: Frame } };
    };
    const one = await post(`{"channel":"${CH}","event":"e","data":{"s":"\\ud800"}}`);
    expect(one.status).toBe(422);
    expect(one.json.error).toMatchObject({
      code: "invalid_data",
      details: { field: "data", path: "data.s", type: "lone surrogate" },
    });
    const many = await post(
      `[{"channel":"${CH}","event":"e","data":1},{"channel":"${CH}","event":"e","data":["\\udfff"]}]`,
    );
    expect(many.status).toBe(422);
    expect(many.json.error).toMatchObject({ code: "invalid_data", details: { index: 1 } });
    // The first item of the array was published, the refused one was not.
    expect(await marker(hub, subscribers)).toBe(2);
  });

  it("personal channels, broadcasts and jobs refuse what publish refuses", async () => {
    const { hub, subscribers } = await setup();
    expect((await rejection(hub.sendToUser("ada", "e", { n: 1n }))).code).toBe("invalid_data");
    expect((await rejection(hub.sendToSession("s-1", "e", [undefined]))).code).toBe("invalid_data");
    expect((await rejection(hub.broadcast("e", new Date()))).code).toBe("invalid_data");

    const job = await hub.jobs.create({ id: "j1" });
    const chunk = await rejection(job.chunk({ n: 1n }, { index: 0 }));
    expect(chunk.details).toMatchObject({ field: "data", path: "data.n", type: "BigInt" });
    const result = await rejection(job.complete({ at: new Map() }));
    expect(result.details).toMatchObject({ field: "result", path: "result.at", type: "Map" });
    // Nothing of either reached the job: it runs on, without a chunk.
    expect(await hub.jobs.get("j1")).toMatchObject({ status: "running", chunks: { count: 0 } });
    await job.chunk({ n: 1 }, { index: 0 });
    expect((await hub.jobs.get("j1")).chunks).toMatchObject({ count: 1 });
    expect(await marker(hub, subscribers)).toBe(1);
  });
});

describe("replies that cannot be encoded", () => {
  it("answer every request exactly once, in either codec", async () => {
    const { hub, url } = await startHub(OPEN_POLICY);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    hub.rpc("big", () => ({ n: 1n }));
    hub.rpc("cyclic", () => cyclic);
    hub.rpc("refuse", () => {
      throw new SwitchyardError("forbidden", "Not yours", { owner: cyclic });
    });
    for (const codec of ["json", "msgpack"] as const) {
      const client = await connected(url, {}, { codec });
      const from = client.frames.length;
      const cyclicReply = await client.request({ type: "rpc", method: "cyclic" });
      expect(cyclicReply.error, codec).toMatchObject({ code: "internal_error" });
      // The error's details cannot be encoded: the reply goes without them.
      const refused = await client.request({ type: "rpc", method: "refuse" });
      expect(refused.error, codec).toEqual({ code: "forbidden", message: "Not yours" });
      await client.request({ type: "ping" });
      expect(answers(client, from), codec).toEqual([2, 3, 4]);
    }
    // JSON has no BigInt (MessagePack encodes it as an integer).
    const json = await connected(url);
    const big = await json.request({ type: "rpc", method: "big" });
    expect(big.error).toMatchObject({ code: "internal_error" });
    await json.request({ type: "ping" });
    expect(answers(json).slice(1)).toEqual([2, 3]);
  });
});
