/**
 * Wire protocol v1 conformance: a raw WebSocket client drives every frame type and every
 * error case of docs/protocol.md, once per codec and once per transport.
 */
import { PROTOCOL_VERSION, SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_HEARTBEAT, DEFAULT_LIMITS, type HubOptions } from "../src/index.js";
import {
  connected,
  OPEN_POLICY,
  onCleanup,
  RawClient,
  startHub,
  useTransport,
} from "./helpers/fixtures.js";
import { TRANSPORTS } from "./helpers/transport.js";
import {
  nowSeconds,
  type RawMessage,
  recordMessages,
  refusedUpgrade,
  SECRET,
  signToken,
} from "./helpers/wire.js";

type Frame = Record<string, unknown>;

/** Anonymous clients welcome, tokens verified, every channel open. */
const AUTH_POLICY: HubOptions = { ...OPEN_POLICY, auth: { secret: SECRET } };

const isServerPing = (f: Frame) => f.type === "ping" && f.id === undefined;
const GENERATED_ID = /^[A-Za-z0-9_-]{16}$/;
/** A session id the hub issues: 128 random bits and a MAC of them, in base64url. */
const ISSUED_SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

describe.each(TRANSPORTS)("over the %s transport", (transport) => {
  useTransport(transport);

  describe("the WebSocket upgrade", () => {
    it("selects JSON text frames when no subprotocol is offered", async () => {
      const { url } = await startHub(OPEN_POLICY);
      const client = new RawClient(url);
      await client.open();
      const messages = recordMessages(client);
      expect(client.ws.protocol).toBe("");
      const reply = await client.request({ type: "connect" });
      expect(reply.result).toMatchObject({ protocol: PROTOCOL_VERSION });
      expect(messages[0]?.binary).toBe(false);
    });

    it("refuses an unknown subprotocol with HTTP 400 unsupported_protocol", async () => {
      const { url } = await startHub(OPEN_POLICY);
      const refused = await refusedUpgrade(url, ["switchyard.v0.xml"]);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: "unsupported_protocol" } });
    });

    it("refuses an Origin outside allowedOrigins with HTTP 403 origin_not_allowed", async () => {
      const { url } = await startHub({ ...OPEN_POLICY, allowedOrigins: ["https://app.example"] });
      const refused = await refusedUpgrade(url, undefined, { origin: "https://evil.example" });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: "origin_not_allowed" } });
      const allowed = new RawClient(url, { headers: { origin: "https://app.example" } });
      expect((await allowed.connect()).protocol).toBe(PROTOCOL_VERSION);
    });

    it("picks ours among several offered subprotocols", async () => {
      const { url } = await startHub(OPEN_POLICY);
      const client = new RawClient(url, {
        codec: "msgpack",
        protocols: ["graphql-ws", "switchyard.v1.msgpack"],
      });
      await client.connect();
      expect(client.ws.protocol).toBe("switchyard.v1.msgpack");
    });
  });

  describe("token lifetime", () => {
    it("closes with 4203 token_expired at expiry unless the token was refreshed", async () => {
      // A short connect timeout makes the hub check expiries every 25 ms.
      const { url } = await startHub({ ...AUTH_POLICY, limits: { connectTimeout: 100 } });
      const exp = nowSeconds() + 2;
      const token = await signToken({ sub: "ada", exp });
      const lapsing = await connected(url, { token });
      const refreshed = await connected(url, { token });
      const reply = await refreshed.request({
        type: "refresh",
        token: await signToken({ sub: "ada", exp: exp + 3600 }),
      });
      expect(reply.result).toEqual({ expiresAt: (exp + 3600) * 1000 });

      expect(await lapsing.waitClose()).toBe(4203);
      expect(lapsing.closeReason).toBe("The token has expired");
      // The original expiry has passed: the refreshed connection lives on.
      expect((await refreshed.request({ type: "ping" })).result).toEqual({});
      expect(refreshed.closeCode).toBeUndefined();
    });
  });

  describe.each(["json", "msgpack"] as const)("wire protocol v1 over %s", (codec) => {
    const subprotocol = `${PROTOCOL_VERSION}.${codec}`;
    const client = (url: string) => new RawClient(url, { codec });
    const open = (url: string, fields: Frame = {}) => connected(url, fields, { codec });

    describe("connect", () => {
      it("negotiates the codec and returns every result field", async () => {
        const { url } = await startHub(AUTH_POLICY);
        const exp = nowSeconds() + 3600;
        const token = await signToken({ sub: "ada", exp });
        const ada = client(url);
        await ada.open();
        const messages = recordMessages(ada);
        expect(ada.ws.protocol).toBe(subprotocol);

        const result = await ada.connect({ token, sessionId: "browser-1" });
        expect(messages[0]?.binary).toBe(codec === "msgpack");
        const clientId = result.clientId as string;
        expect(clientId).toMatch(GENERATED_ID);
        const position = { epoch: expect.any(String), offset: 0 };
        expect(result).toEqual({
          clientId,
          sessionId: "browser-1",
          userId: "ada",
          protocol: "switchyard.v1",
          heartbeat: { interval: DEFAULT_HEARTBEAT.interval, timeout: DEFAULT_HEARTBEAT.timeout },
          limits: {
            maxMessageBytes: DEFAULT_LIMITS.maxMessageBytes,
            maxSubscriptions: DEFAULT_LIMITS.maxSubscriptions,
            rate: DEFAULT_LIMITS.rate,
            burst: DEFAULT_LIMITS.burst,
          },
          expiresAt: exp * 1000,
          channels: {
            [`$client:${clientId}`]: {},
            "$session:browser-1": position,
            "$user:ada": position,
            $broadcast: position,
          },
        });
      });

      it("is anonymous without a token: no user, no expiry, no $user channel", async () => {
        const { url } = await startHub(AUTH_POLICY);
        const result = await client(url).connect();
        expect(result).toMatchObject({ userId: null, expiresAt: null });
        expect(Object.keys(result.channels as Frame).sort()).toEqual(
          [`$client:${result.clientId}`, `$session:${result.sessionId}`, "$broadcast"].sort(),
        );
      });

      it("issues a sessionId, and takes one from the frame or ?sessionId= when bound to the same identity", async () => {
        const { url } = await startHub(AUTH_POLICY);
        const first = await client(url).connect();
        const second = await client(url).connect();
        expect(first.sessionId).toMatch(ISSUED_SESSION_ID);
        expect(second.sessionId).toMatch(ISSUED_SESSION_ID);
        expect(first.sessionId).not.toBe(second.sessionId);
        expect(first.clientId).not.toBe(second.clientId);

        const issued = first.sessionId as string;
        const fromFrame = await client(url).connect({ sessionId: issued });
        expect(fromFrame.sessionId).toBe(issued);
        expect(fromFrame.channels).toHaveProperty([`$session:${issued}`]);
        const fromQuery = await client(`${url}?sessionId=${issued}`).connect();
        expect(fromQuery.sessionId).toBe(issued);
        const both = await client(`${url}?sessionId=${issued}`).connect({
          sessionId: second.sessionId,
        });
        expect(both.sessionId).toBe(second.sessionId);

        // An id the hub did not issue: a fresh one for an anonymous client, bound to a user.
        const unissued = await client(url).connect({ sessionId: "from-frame" });
        expect(unissued.sessionId).toMatch(ISSUED_SESSION_ID);
        const token = await signToken({ sub: "ada" });
        const chosen = await client(`${url}?sessionId=from-query`).connect({ token });
        expect(chosen.sessionId).toBe("from-query");
        expect(chosen.channels).toHaveProperty(["$session:from-query"]);
      });

      it("answers a second connect with already_connected and keeps the connection", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const again = await a.request({ type: "connect" });
        expect(again.error).toMatchObject({ code: "already_connected" });
        expect((await a.request({ type: "ping" })).result).toEqual({});
      });

      it("answers every request before connect with not_connected", async () => {
        const { url } = await startHub({ ...AUTH_POLICY });
        const token = await signToken({ sub: "ada" });
        const a = client(url);
        await a.open();
        const early = [
          { type: "subscribe", id: 901, channel: "news:1" },
          { type: "unsubscribe", id: 902, channel: "news:1" },
          { type: "publish", id: 903, channel: "news:1", event: "e" },
          { type: "rpc", id: 904, method: "anything" },
          { type: "refresh", id: 905, token },
          { type: "ping", id: 906 },
        ];
        a.send(early);
        for (const { id } of early) {
          const reply = await a.next((f) => f.type === "reply" && f.id === id);
          expect(reply.error).toMatchObject({ code: "not_connected" });
        }
        // None of them ran: connecting still works and the publish above went nowhere.
        const result = await a.connect();
        expect(result.protocol).toBe(PROTOCOL_VERSION);
        const sub = await a.request({ type: "subscribe", channel: "news:1" });
        expect(sub.result).toMatchObject({ channel: "news:1", offset: 0 });
      });
    });

    describe("subscribe and unsubscribe", () => {
      it("returns channel, epoch and offset, then delivers events with offsets", async () => {
        const { url, hub } = await startHub(OPEN_POLICY);
        await hub.publish("news:1", "before", 0);
        const a = await open(url);
        const reply = await a.request({ type: "subscribe", channel: "news:1" });
        expect(reply.result).toEqual({ channel: "news:1", epoch: expect.any(String), offset: 1 });
        await hub.publish("news:1", "after", { n: 2 });
        const event = await a.next((f) => f.type === "event" && f.channel === "news:1");
        expect(event).toEqual({
          type: "event",
          channel: "news:1",
          event: "after",
          data: { n: 2 },
          offset: 2,
          timestamp: expect.any(Number),
        });
      });

      it("delivers only the events named in the `events` filter", async () => {
        const { url, hub } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const reply = await a.request({ type: "subscribe", channel: "feed:1", events: ["keep"] });
        expect(reply.result).toMatchObject({ channel: "feed:1" });
        await hub.publish("feed:1", "drop", 1);
        await hub.publish("feed:1", "keep", 2);
        await hub.publish("feed:1", "other", 3);
        await hub.publish("feed:1", "keep", 4);
        await a.next((f) => f.type === "event" && f.data === 4);
        expect(a.events("feed:1").map((f) => [f.event, f.data])).toEqual([
          ["keep", 2],
          ["keep", 4],
        ]);
      });

      it("stops delivery after unsubscribe; a second unsubscribe is not_subscribed", async () => {
        const { url, hub } = await startHub(OPEN_POLICY);
        const a = await open(url);
        await a.request({ type: "subscribe", channel: "news:1" });
        await a.request({ type: "subscribe", channel: "news:2" });
        const left = await a.request({ type: "unsubscribe", channel: "news:1" });
        expect(left.result).toEqual({});
        await hub.publish("news:1", "gone", 1);
        await hub.publish("news:2", "marker", 2);
        await a.next((f) => f.type === "event" && f.channel === "news:2");
        expect(a.events("news:1")).toEqual([]);

        const again = await a.request({ type: "unsubscribe", channel: "news:1" });
        expect(again.error).toMatchObject({ code: "not_subscribed" });
        const never = await a.request({ type: "unsubscribe", channel: "news:3" });
        expect(never.error).toMatchObject({ code: "not_subscribed" });
      });
    });

    describe("publish", () => {
      it("returns offset and epoch and reaches subscribers; a repeated idempotencyKey is a duplicate", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const reader = await open(url);
        const sub = await reader.request({ type: "subscribe", channel: "chat:1" });
        const { epoch } = sub.result as { epoch: string };
        const writer = await open(url);

        const first = await writer.request({
          type: "publish",
          channel: "chat:1",
          event: "message",
          data: { text: "hi" },
          idempotencyKey: "k-1",
        });
        expect(first.result).toEqual({ offset: 1, epoch, duplicate: false });
        const retry = await writer.request({
          type: "publish",
          channel: "chat:1",
          event: "message",
          data: { text: "hi" },
          idempotencyKey: "k-1",
        });
        expect(retry.result).toMatchObject({ duplicate: true, offset: 1, epoch });
        const next = await writer.request({
          type: "publish",
          channel: "chat:1",
          event: "message",
          data: { text: "bye" },
        });
        expect(next.result).toEqual({ offset: 2, epoch });

        await reader.next((f) => f.type === "event" && f.offset === 2);
        expect(reader.events("chat:1").map((f) => [f.offset, f.data])).toEqual([
          [1, { text: "hi" }],
          [2, { text: "bye" }],
        ]);
      });
    });

    describe("rpc", () => {
      async function rpcHub() {
        const fixture = await startHub(OPEN_POLICY);
        fixture.hub.rpc(
          "add",
          z.object({ a: z.number(), b: z.number() }),
          ({ a, b }, { client: caller }) => ({ sum: a + b, caller: caller.clientId }),
        );
        fixture.hub.rpc("refuse", () => {
          throw new SwitchyardError("forbidden", "Only owners may do this", { owner: "bob" });
        });
        fixture.hub.rpc("crash", async () => {
          throw new Error("db password is hunter2");
        });
        return fixture;
      }

      it("returns the handler's result", async () => {
        const { url } = await rpcHub();
        const a = await open(url);
        const reply = await a.request({ type: "rpc", method: "add", data: { a: 2, b: 3 } });
        expect(reply.result).toEqual({ sum: 5, caller: clientIdOf(a) });
      });

      it("answers an unknown method with method_not_found", async () => {
        const { url } = await rpcHub();
        const a = await open(url);
        const reply = await a.request({ type: "rpc", method: "nope" });
        expect(reply.error).toMatchObject({ code: "method_not_found" });
      });

      it("answers input failing the schema with invalid_data listing the issues", async () => {
        const { url } = await rpcHub();
        const a = await open(url);
        const reply = await a.request({ type: "rpc", method: "add", data: { a: 2, b: "3" } });
        const error = reply.error as { code: string; details: { issues: Frame[] } };
        expect(error.code).toBe("invalid_data");
        expect(error.details.issues).toEqual([{ message: expect.any(String), path: ["b"] }]);
      });

      it("passes a thrown SwitchyardError on with its code, message and details", async () => {
        const { url } = await rpcHub();
        const a = await open(url);
        const reply = await a.request({ type: "rpc", method: "refuse" });
        expect(reply.error).toEqual({
          code: "forbidden",
          message: "Only owners may do this",
          details: { owner: "bob" },
        });
      });

      it("turns anything else thrown into internal_error without leaking its message", async () => {
        const { url } = await rpcHub();
        const a = await open(url);
        const reply = await a.request({ type: "rpc", method: "crash" });
        expect(reply.error).toMatchObject({ code: "internal_error" });
        expect(JSON.stringify(reply)).not.toContain("hunter2");
        expect((await a.request({ type: "ping" })).result).toEqual({});
      });
    });

    describe("refresh", () => {
      it("accepts a token of the same user and returns the new expiresAt", async () => {
        const { url } = await startHub(AUTH_POLICY);
        const a = await open(url, {
          token: await signToken({ sub: "ada", exp: nowSeconds() + 60 }),
        });
        const exp = nowSeconds() + 7200;
        const reply = await a.request({
          type: "refresh",
          token: await signToken({ sub: "ada", exp }),
        });
        expect(reply.result).toEqual({ expiresAt: exp * 1000 });
      });

      it("refuses another user's token with user_mismatch and keeps the connection", async () => {
        const { url, hub } = await startHub(AUTH_POLICY);
        const a = await open(url, { token: await signToken({ sub: "ada" }) });
        const reply = await a.request({ type: "refresh", token: await signToken({ sub: "bob" }) });
        expect(reply.error).toMatchObject({ code: "user_mismatch" });
        // Still ada: a message to ada arrives, the connection is open.
        await hub.sendToUser("ada", "still-ada");
        await a.next((f) => f.type === "event" && f.channel === "$user:ada");
        expect(a.closeCode).toBeUndefined();
      });
    });

    describe("ping and heartbeat", () => {
      it("answers a client ping with {}", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const reply = await a.request({ type: "ping" });
        expect(reply).toEqual({ type: "reply", id: expect.any(Number), result: {} });
      });

      it("sends heartbeat pings; a pong keeps the connection, silence closes it with 4202", async () => {
        const { url } = await startHub({
          ...OPEN_POLICY,
          heartbeat: { interval: 100, timeout: 200 },
        });
        const lively = await open(url);
        const silent = client(url);
        silent.autoPong = false;
        await silent.connect();

        const first = await lively.next(isServerPing);
        expect(first).toEqual({ type: "ping" });
        // A second ping is only sent once the first was answered.
        await lively.next(isServerPing, lively.frames.indexOf(first) + 1);

        expect(await silent.waitClose()).toBe(4202);
        expect(silent.frames.filter(isServerPing)).toHaveLength(1);
        expect(lively.closeCode).toBeUndefined();
        expect((await lively.request({ type: "ping" })).result).toEqual({});
      });
    });

    describe("batching", () => {
      it("answers every frame of a batch sent as one message, in order", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        a.send([
          { type: "subscribe", id: 101, channel: "batch:1" },
          { type: "publish", id: 102, channel: "batch:1", event: "e", data: "x" },
          { type: "ping", id: 103 },
          { type: "unsubscribe", id: 104, channel: "batch:2" },
        ]);
        const last = await a.next((f) => f.type === "reply" && f.id === 104);
        expect(last.error).toMatchObject({ code: "not_subscribed" });
        const replies = a.frames.filter((f) => f.type === "reply" && (f.id as number) > 100);
        expect(replies.map((f) => f.id)).toEqual([101, 102, 103, 104]);
        expect(replies[0]?.result).toMatchObject({ channel: "batch:1" });
        expect(replies[1]?.result).toMatchObject({ offset: 1 });
        expect(replies[2]?.result).toEqual({});
        await a.next((f) => f.type === "event" && f.channel === "batch:1");
      });

      it("replies to a batch in one message, in request order, errors included", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const messages = recordMessages(a);
        a.send([
          { type: "ping", id: 3 },
          { type: "bogus", id: 4 },
        ]);
        await a.next((f) => f.type === "reply" && f.id === 4);
        await a.next((f) => f.type === "reply" && f.id === 3);
        expect(messages.map((m) => m.decoded)).toEqual([
          [
            { type: "reply", id: 3, result: {} },
            {
              type: "reply",
              id: 4,
              error: { code: "unknown_frame_type", message: expect.any(String) },
            },
          ],
        ]);
      });

      it("refuses a batch of more than 100 frames with invalid_frame", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const from = a.frames.length;
        a.send(Array.from({ length: 101 }, (_, i) => ({ type: "ping", id: 500 + i })));
        const answer = await a.next((f) => f.type === "error" || f.type === "reply", from);
        expect(answer).toEqual({
          type: "error",
          error: { code: "invalid_frame", message: expect.stringContaining("100") },
        });
        expect((await a.request({ type: "ping" })).result).toEqual({});
        expect(a.frames.filter((f) => (f.id as number) >= 500)).toEqual([]);
      });

      it("packs the frames queued within one tick into one message", async () => {
        // The hub writes an event that finds it idle (nothing flushed for 5 ms) at once, alone:
        // with its clock held still, the subscribe reply's flush keeps it busy for the bursts
        // below however slowly a loaded machine runs them.
        vi.useFakeTimers({ toFake: ["performance"] });
        onCleanup(() => {
          vi.useRealTimers();
        });
        const { url, hub } = await startHub(OPEN_POLICY);
        const a = await open(url);
        await a.request({ type: "subscribe", channel: "burst:1" });
        const messages = recordMessages(a);
        const holdingEvents = () =>
          messages.filter((m) => framesOf(m).some((f) => f.type === "event"));

        // Five publishes started synchronously.
        await Promise.all([1, 2, 3, 4, 5].map((n) => hub.publish("burst:1", "tick", n)));
        await a.next((f) => f.type === "event" && f.data === 5);
        expect(holdingEvents()).toHaveLength(1);
        const batch = holdingEvents()[0]!;
        expect(batch.binary).toBe(codec === "msgpack");
        expect(Array.isArray(batch.decoded)).toBe(true);
        expect(framesOf(batch).map((f) => [f.type, f.data])).toEqual([
          ["event", 1],
          ["event", 2],
          ["event", 3],
          ["event", 4],
          ["event", 5],
        ]);

        // Five publishes one after another, still within one turn of the event loop.
        for (let n = 6; n <= 10; n++) await hub.publish("burst:1", "tick", n);
        await a.next((f) => f.type === "event" && f.data === 10);
        expect(holdingEvents()).toHaveLength(2);
        expect(framesOf(holdingEvents()[1]!).map((f) => f.data)).toEqual([6, 7, 8, 9, 10]);
      });
    });

    describe("personal channels", () => {
      it("sendToClient, sendToSession, sendToUser and broadcast reach exactly their clients", async () => {
        const { url, hub } = await startHub(AUTH_POLICY);
        const ada = await signToken({ sub: "ada" });
        const bob = await signToken({ sub: "bob" });
        const adaTab1 = await open(url, { token: ada, sessionId: "ada-browser" });
        const adaTab2 = await open(url, { token: ada, sessionId: "ada-browser" });
        const adaPhone = await open(url, { token: ada, sessionId: "ada-phone" });
        const bobTab = await open(url, { token: bob, sessionId: "bob-browser" });
        const anonymous = await open(url);
        const everyone = [adaTab1, adaTab2, adaPhone, bobTab, anonymous];

        await hub.sendToClient(clientIdOf(adaTab2), "to-client", 1);
        await hub.sendToSession("ada-browser", "to-session", 2);
        await hub.sendToUser("ada", "to-user", 3);
        await hub.sendToUser("bob", "to-bob", 4);
        await hub.broadcast("to-all", 5);
        for (const c of everyone) await c.next((f) => f.type === "event" && f.event === "to-all");

        const received = (c: RawClient) => c.events().map((f) => `${f.event}@${f.channel}`);
        expect(received(adaTab1)).toEqual([
          "to-session@$session:ada-browser",
          "to-user@$user:ada",
          "to-all@$broadcast",
        ]);
        expect(received(adaTab2)).toEqual([
          `to-client@$client:${clientIdOf(adaTab2)}`,
          "to-session@$session:ada-browser",
          "to-user@$user:ada",
          "to-all@$broadcast",
        ]);
        expect(received(adaPhone)).toEqual(["to-user@$user:ada", "to-all@$broadcast"]);
        expect(received(bobTab)).toEqual(["to-bob@$user:bob", "to-all@$broadcast"]);
        expect(received(anonymous)).toEqual(["to-all@$broadcast"]);
      });
    });

    describe("error frames", () => {
      it("answers frames without a usable id with {type: 'error'} and keeps the connection", async () => {
        const { url } = await startHub(OPEN_POLICY);
        const a = await open(url);
        const noId: [unknown, string][] = [
          [{ type: "subscribe", channel: "news:1" }, "invalid_frame"],
          [{ type: "ping", id: "7" }, "invalid_frame"],
          [{ type: "ping", id: -1 }, "invalid_frame"],
          [{ type: "ping", id: 1.5 }, "invalid_frame"],
          [{ type: "teleport" }, "unknown_frame_type"],
          [{ type: 7 }, "invalid_frame"],
          [42, "invalid_frame"],
          ["ping", "invalid_frame"],
          [null, "invalid_frame"],
        ];
        for (const [frame, code] of noId) {
          const from = a.frames.length;
          a.send(frame);
          const answer = await a.next((f) => f.type === "error" || f.type === "reply", from);
          expect(answer, JSON.stringify(frame)).toEqual({
            type: "error",
            error: { code, message: expect.any(String) },
          });
        }
        // With a usable id, the same problems come back as a reply to that id.
        const typeless = await a.request({});
        expect(typeless.error).toMatchObject({ code: "invalid_frame" });
        const unknown = await a.request({ type: "teleport" });
        expect(unknown.error).toMatchObject({ code: "unknown_frame_type" });
        expect((await a.request({ type: "ping" })).result).toEqual({});
      });
    });
  });

  function clientIdOf(client: RawClient): string {
    const connect = client.frames.find((f) => f.type === "reply" && f.id === 1);
    const clientId = (connect?.result as { clientId?: string } | undefined)?.clientId;
    if (clientId === undefined) throw new Error("the client is not connected");
    return clientId;
  }

  function framesOf(message: RawMessage): Frame[] {
    return (Array.isArray(message.decoded) ? message.decoded : [message.decoded]) as Frame[];
  }
});
