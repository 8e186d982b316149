/**
 * Bad input never crashes the hub nor reaches another client, on either transport: each case
 * gets its clear error code, and a bystander connected to the same hub still receives a
 * publish afterwards.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryBroker, type HubOptions } from "../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub, useTransport } from "./helpers/fixtures.js";
import { TRANSPORTS } from "./helpers/transport.js";
import { Bystander, nowSeconds, SECRET, signToken, unsignedToken } from "./helpers/wire.js";

type Frame = Record<string, unknown>;

/** Starts a hub with `options` and a bystander (connected with `fields`). */
async function hubWithBystander(options: HubOptions, fields: Frame = {}) {
  const fixture = await startHub(options);
  const bystander = await Bystander.join(fixture.hub, fixture.url, fields);
  return { ...fixture, bystander };
}

/** Resolves with the next error frame (or failed reply) after frame index `from`. */
function nextError(client: RawClient, from: number): Promise<Frame> {
  return client.next((f) => f.type === "error" || (f.type === "reply" && "error" in f), from);
}

async function expectAlive(client: RawClient): Promise<void> {
  expect((await client.request({ type: "ping" })).result).toEqual({});
  expect(client.closeCode).toBeUndefined();
}

describe.each(TRANSPORTS)("over the %s transport", (transport) => {
  useTransport(transport);

  describe("undecodable messages", () => {
    it("answers malformed JSON with a malformed_frame error frame", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const bad = await connected(url);
      for (const text of ['{"type":"ping","id":', "not json at all", "{'type':'ping'}", ""]) {
        const from = bad.frames.length;
        bad.sendRaw(text);
        expect(await nextError(bad, from), text).toEqual({
          type: "error",
          error: { code: "malformed_frame", message: expect.any(String) },
        });
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });

    it("answers binary garbage on a MessagePack connection with malformed_frame", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const bad = await connected(url, {}, { codec: "msgpack" });
      const garbage = [
        Buffer.from([0x92, 0x01]), // an array of two holding one element
        Buffer.from([0xff, 0xfe, 0x00, 0x13]), // trailing bytes after a value
        Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), // a map claiming 4 billion entries
      ];
      for (const bytes of garbage) {
        const from = bad.frames.length;
        bad.sendRaw(bytes, true);
        expect(await nextError(bad, from), bytes.toString("hex")).toMatchObject({
          type: "error",
          error: { code: "malformed_frame" },
        });
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });

    it("answers a text message on a MessagePack connection with malformed_frame", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const bad = await connected(url, {}, { codec: "msgpack" });
      // "7" would decode as the MessagePack number 55 if its bytes were taken as binary.
      for (const text of ['{"type":"ping","id":99}', "7"]) {
        const from = bad.frames.length;
        bad.sendRaw(text, false);
        expect(await nextError(bad, from), text).toMatchObject({
          type: "error",
          error: { code: "malformed_frame" },
        });
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });
  });

  describe("frames the hub cannot use", () => {
    it("answers an unknown frame type with unknown_frame_type", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const bad = await connected(url);
      const reply = await bad.request({ type: "teleport", channel: "news:1" });
      expect(reply.error).toMatchObject({ code: "unknown_frame_type" });
      expect((reply.error as { message: string }).message).toContain("teleport");
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });

    it("answers missing or wrongly typed fields of every request type with invalid_frame", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const cases: [Frame, string][] = [
        [{ type: "subscribe" }, "channel"],
        [{ type: "subscribe", channel: 7 }, "channel"],
        [{ type: "subscribe", channel: "news:1", since: { epoch: 1, offset: "x" } }, "since"],
        [{ type: "subscribe", channel: "news:1", events: "all" }, "events"],
        [{ type: "subscribe", channel: "news:1", events: ["bad name!"] }, "events"],
        [{ type: "unsubscribe" }, "channel"],
        [{ type: "unsubscribe", channel: ["news:1"] }, "channel"],
        [{ type: "publish", channel: "news:1" }, "event"],
        [{ type: "publish", event: "e" }, "channel"],
        [{ type: "publish", channel: "news:1", event: "e", idempotencyKey: 5 }, "idempotencyKey"],
        [{ type: "publish", channel: "news:1", event: "has space" }, "event"],
        [{ type: "rpc" }, "method"],
        [{ type: "rpc", method: { name: "x" } }, "method"],
        [{ type: "refresh" }, "token"],
        [{ type: "refresh", token: 42 }, "token"],
      ];
      const bad = await connected(url);
      for (const [frame, field] of cases) {
        const reply = await bad.request(frame);
        expect(reply.error, JSON.stringify(frame)).toMatchObject({ code: "invalid_frame" });
        expect((reply.error as { message: string }).message, JSON.stringify(frame)).toContain(
          field,
        );
      }

      // connect is checked before anything else happens on a fresh connection.
      const connectCases: [Frame, string][] = [
        [{ type: "connect", token: 42 }, "token"],
        [{ type: "connect", sessionId: 42 }, "sessionId"],
        [{ type: "connect", sessionId: "has space" }, "sessionId"],
        [{ type: "connect", since: { "$user:ada": { epoch: "e" } } }, "since"],
      ];
      const fresh = new RawClient(url);
      await fresh.open();
      for (const [frame, field] of connectCases) {
        const reply = await fresh.request(frame);
        expect(reply.error, JSON.stringify(frame)).toMatchObject({ code: "invalid_frame" });
        expect((reply.error as { message: string }).message, JSON.stringify(frame)).toContain(
          field,
        );
      }
      // None of them connected it; a good connect still does.
      expect((await fresh.request({ type: "ping" })).error).toMatchObject({
        code: "not_connected",
      });
      await fresh.connect();

      await expectAlive(bad);
      await bystander.expectUnaffected();
    });

    it("answers invalid channel names with invalid_channel", async () => {
      const { url, bystander } = await hubWithBystander(OPEN_POLICY);
      const bad = await connected(url);
      const names = [
        "",
        "news:",
        ":1",
        "news :1",
        "news:a b",
        "news:tab\there",
        "news:\u0000",
        "ünicode:1",
        "$",
        `news:${"x".repeat(300)}`,
      ];
      for (const channel of names) {
        for (const type of ["subscribe", "publish", "unsubscribe"]) {
          const reply = await bad.request({ type, channel, event: "e" });
          expect(reply.error, `${type} ${JSON.stringify(channel)}`).toMatchObject({
            code: "invalid_channel",
          });
        }
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });
  });

  describe("oversized messages", () => {
    const limits = { maxMessageBytes: 1024 };

    it("answers a message over maxMessageBytes with message_too_large and keeps the connection", async () => {
      const { url, bystander } = await hubWithBystander({ ...OPEN_POLICY, limits });
      const bad = await connected(url);
      const from = bad.frames.length;
      bad.send({ type: "publish", id: 50, channel: "news:1", event: "e", data: "x".repeat(2000) });
      expect(await nextError(bad, from)).toEqual({
        type: "error",
        error: { code: "message_too_large", message: expect.stringContaining("1024") },
      });
      await expectAlive(bad);
      // The oversized publish was dropped undecoded.
      const sub = await bad.request({ type: "subscribe", channel: "news:1" });
      expect(sub.result).toMatchObject({ offset: 0 });
      await bystander.expectUnaffected();
    });

    it("closes with 1009 past 16 times the limit", async () => {
      const { url, bystander } = await hubWithBystander({ ...OPEN_POLICY, limits });
      const bad = await connected(url);
      bad.send({
        type: "publish",
        id: 50,
        channel: "news:1",
        event: "e",
        data: "x".repeat(17_000),
      });
      expect(await bad.waitClose()).toBe(1009);
      await bystander.expectUnaffected();
    });
  });

  describe("floods", () => {
    it("answers frames past the rate with rate_limited, then closes a persistent flood with 4100", async () => {
      const { url, bystander } = await hubWithBystander({
        ...OPEN_POLICY,
        limits: { rate: 10, burst: 20 },
      });
      const bad = await connected(url);
      const pings = (first: number, count: number) =>
        Array.from({ length: count }, (_, i) => ({ type: "ping", id: first + i }));
      const replyTo = (id: number) => bad.next((f) => f.type === "reply" && f.id === id);

      // The burst (less the connect frame) goes through.
      bad.send(pings(1000, 19));
      for (let id = 1000; id < 1019; id++) expect((await replyTo(id)).result).toEqual({});

      // Past it, frames are refused one by one; the connection stays.
      bad.send(pings(2000, 10));
      const refused = [];
      for (let id = 2000; id < 2010; id++) refused.push(await replyTo(id));
      const limited = refused.filter(
        (f) => (f.error as { code?: string })?.code === "rate_limited",
      );
      // At most one token can have been refilled meanwhile (10 per second).
      expect(limited.length).toBeGreaterThanOrEqual(8);
      expect(bad.closeCode).toBeUndefined();

      // Keeping on flooding digs past another burst of debt: closed, back off.
      bad.send(pings(3000, 60));
      expect(await bad.waitClose()).toBe(4100);
      await bystander.expectUnaffected();
    });

    it("accepts at most maxSubscriptions of 10,000 subscribes, with bounded memory", async () => {
      const broker = createMemoryBroker();
      const { url, hub, bystander } = await hubWithBystander({
        ...OPEN_POLICY,
        broker,
        // Only the subscription limit is under test here, not the rate limit.
        limits: { rate: 1_000_000, burst: 1_000_000 },
      });
      const before = { stats: hub.stats(), streams: broker.stats().streams };
      const bad = await connected(url);
      const total = 10_000;
      // Waves of ten 100-frame batches: the replies to one wave stay well inside the client's
      // outbound queue limit (a client that never reads its replies is a slow consumer).
      for (let wave = 0; wave < total; wave += 1000) {
        for (let first = wave; first < wave + 1000; first += 100) {
          bad.send(
            Array.from({ length: 100 }, (_, i) => ({
              type: "subscribe",
              id: 10_000 + first + i,
              channel: `many:${first + i}`,
            })),
          );
        }
        await bad.next((f) => f.type === "reply" && f.id === 10_000 + wave + 999);
      }

      const replies = bad.frames.filter((f) => f.type === "reply" && (f.id as number) >= 10_000);
      expect(replies).toHaveLength(total);
      const ok = replies.filter((f) => "result" in f);
      const refused = replies.filter(
        (f) => (f.error as { code?: string } | undefined)?.code === "too_many_subscriptions",
      );
      expect(ok).toHaveLength(1000);
      expect(refused).toHaveLength(total - 1000);
      // The first 1000 in order got in.
      expect(ok.map((f) => f.id)).toEqual(Array.from({ length: 1000 }, (_, i) => 10_000 + i));

      // Memory follows what was accepted, not what was asked for.
      const after = hub.stats();
      const personal = 3; // $client:, $session:, $broadcast of the flooding client
      expect(after.subscriptions - before.stats.subscriptions).toBe(1000 + personal);
      expect(after.channels - before.stats.channels).toBe(1000 + 2);
      expect(broker.stats().streams - before.streams).toBeLessThanOrEqual(1000 + 2);

      await expectAlive(bad);
      const publish = await bad.request({ type: "publish", channel: "many:999", event: "e" });
      expect(publish.result).toMatchObject({ offset: 1 });
      await bad.next((f) => f.type === "event" && f.channel === "many:999");
      await bystander.expectUnaffected();
    });
  });

  describe("access control", () => {
    const policy: HubOptions = {
      auth: { secret: SECRET },
      allowAnonymous: true,
      namespaces: {
        secret: { subscribe: "nobody", publish: "nobody" },
        members: { subscribe: "authenticated", publish: "authenticated" },
        alerts: { subscribe: "anyone", publish: "nobody" },
      },
      defaultNamespace: null,
    };

    it("refuses subscribing to a forbidden namespace with forbidden", async () => {
      const { url, bystander } = await hubWithBystander(policy);
      const anonymous = await connected(url);
      for (const channel of ["secret:1", "members:1"]) {
        const reply = await anonymous.request({ type: "subscribe", channel });
        expect(reply.error, channel).toMatchObject({ code: "forbidden" });
      }
      const member = await connected(url, { token: await signToken({ sub: "ada" }) });
      expect((await member.request({ type: "subscribe", channel: "members:1" })).result).toEqual({
        channel: "members:1",
        epoch: expect.any(String),
        offset: 0,
      });
      expect(
        (await member.request({ type: "subscribe", channel: "secret:1" })).error,
      ).toMatchObject({
        code: "forbidden",
      });
      await expectAlive(anonymous);
      await bystander.expectUnaffected();
    });

    it("refuses subscribing to another client's personal channels with forbidden", async () => {
      const { url, hub, bystander } = await hubWithBystander(policy, {
        token: await signToken({ sub: "victim" }),
        sessionId: "victim-session",
      });
      const victimId = hub.clients().find((c) => c.userId === "victim")?.clientId;
      expect(victimId).toMatch(/./);
      const attacker = await connected(url, {
        token: await signToken({ sub: "mallory" }),
        sessionId: "mallory-session",
      });
      for (const channel of ["$user:victim", "$session:victim-session", `$client:${victimId}`]) {
        const reply = await attacker.request({ type: "subscribe", channel });
        expect(reply.error, channel).toMatchObject({ code: "forbidden" });
      }
      // Its own personal channels are fine (subscribing again just replaces them).
      expect(
        (await attacker.request({ type: "subscribe", channel: "$user:mallory" })).result,
      ).toMatchObject({ channel: "$user:mallory" });
      await hub.sendToUser("victim", "private", { secret: 1 });
      await hub.sendToSession("victim-session", "private", { secret: 2 });
      await expectAlive(attacker);
      expect(attacker.events()).toEqual([]);
      // The bystander is the victim: it got its own messages, so check it separately.
      await bystander.client.next(
        (f) => f.type === "event" && f.channel === "$session:victim-session",
      );
      expect(bystander.client.closeCode).toBeUndefined();
    });

    it("refuses publishing to a server-only namespace or a personal channel with forbidden", async () => {
      const { url, hub, bystander } = await hubWithBystander(policy);
      const member = await connected(url, { token: await signToken({ sub: "ada" }) });
      await member.request({ type: "subscribe", channel: "alerts:1" });
      for (const channel of ["alerts:1", "secret:1", "$broadcast", "$user:ada"]) {
        const reply = await member.request({ type: "publish", channel, event: "spoof" });
        expect(reply.error, channel).toMatchObject({ code: "forbidden" });
      }
      // The server itself may publish there.
      await hub.publish("alerts:1", "real", 1);
      await member.next((f) => f.type === "event" && f.channel === "alerts:1");
      expect(member.events().map((f) => f.event)).toEqual(["real"]);
      await bystander.expectUnaffected();
    });

    it("refuses undeclared namespaces with unknown_namespace when defaultNamespace is null", async () => {
      const { url, bystander } = await hubWithBystander(policy);
      const bad = await connected(url);
      for (const type of ["subscribe", "publish"]) {
        for (const channel of ["jbo:1", "bare", "$admin:1"]) {
          const reply = await bad.request({ type, channel, event: "e" });
          expect(reply.error, `${type} ${channel}`).toMatchObject({ code: "unknown_namespace" });
        }
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });
  });

  describe("event schemas", () => {
    const policy: HubOptions = {
      allowAnonymous: true,
      namespaces: {
        job: {
          subscribe: "anyone",
          publish: "anyone",
          events: { progress: z.object({ percent: z.number().min(0).max(100) }) },
        },
      },
    };

    it("refuses an undeclared event with unknown_event", async () => {
      const { url, bystander } = await hubWithBystander(policy);
      const bad = await connected(url);
      for (const event of ["done", "toString", "__proto__"]) {
        const reply = await bad.request({ type: "publish", channel: "job:1", event, data: {} });
        expect(reply.error, event).toMatchObject({ code: "unknown_event" });
      }
      await expectAlive(bad);
      await bystander.expectUnaffected();
    });

    it("refuses wrong data with invalid_data naming the path", async () => {
      const { url, bystander } = await hubWithBystander(policy);
      const bad = await connected(url);
      await bad.request({ type: "subscribe", channel: "job:1" });
      const reply = await bad.request({
        type: "publish",
        channel: "job:1",
        event: "progress",
        data: { percent: "half" },
      });
      const error = reply.error as { code: string; message: string; details: { issues: Frame[] } };
      expect(error.code).toBe("invalid_data");
      expect(error.message).toContain("percent");
      expect(error.details.issues).toEqual([{ message: expect.any(String), path: ["percent"] }]);

      const good = await bad.request({
        type: "publish",
        channel: "job:1",
        event: "progress",
        data: { percent: 40 },
      });
      expect(good.result).toMatchObject({ offset: 1 });
      await bad.next((f) => f.type === "event" && f.channel === "job:1");
      expect(bad.events("job:1").map((f) => f.data)).toEqual([{ percent: 40 }]);
      await bystander.expectUnaffected();
    });
  });

  describe("tokens", () => {
    const policy: HubOptions = {
      auth: { secret: SECRET },
      namespaces: { news: { subscribe: "authenticated" } },
    };
    const bystanderToken = () => signToken({ sub: "bystander" });

    async function refusedConnect(url: string, fields: Frame, options = {}) {
      const client = new RawClient(url, options);
      await client.open();
      const reply = await client.request({ type: "connect", ...fields });
      return { error: reply.error as { code: string }, close: await client.waitClose() };
    }

    it("answers an expired token with token_expired and closes with 4203", async () => {
      const { url, bystander } = await hubWithBystander(policy, { token: await bystanderToken() });
      const token = await signToken({ sub: "ada", exp: nowSeconds() - 60 });
      const refused = await refusedConnect(url, { token });
      expect(refused.error).toMatchObject({ code: "token_expired" });
      expect(refused.close).toBe(4203);
      await bystander.expectUnaffected();
    });

    it("answers a token signed with another secret with token_invalid and closes with 4002", async () => {
      const { url, bystander } = await hubWithBystander(policy, { token: await bystanderToken() });
      const token = await signToken({ sub: "ada" }, "another-secret-of-at-least-32-bytes!!");
      const refused = await refusedConnect(url, { token });
      expect(refused.error).toMatchObject({ code: "token_invalid" });
      expect(refused.close).toBe(4002);
      await bystander.expectUnaffected();
    });

    it("refuses an unsigned alg:none token with token_invalid", async () => {
      const { url, bystander } = await hubWithBystander(policy, { token: await bystanderToken() });
      const token = unsignedToken({ sub: "admin", exp: nowSeconds() + 3600 });
      const refused = await refusedConnect(url, { token });
      expect(refused.error).toMatchObject({ code: "token_invalid" });
      expect(refused.close).toBe(4002);
      await bystander.expectUnaffected();
    });

    it("refuses a connect without a token with unauthorized and closes with 4001", async () => {
      const { url, bystander } = await hubWithBystander(policy, { token: await bystanderToken() });
      const refused = await refusedConnect(url, {});
      expect(refused.error).toMatchObject({ code: "unauthorized" });
      expect(refused.close).toBe(4001);
      await bystander.expectUnaffected();
    });

    it("takes the token from ?token= and from an Authorization: Bearer header", async () => {
      const { url, bystander } = await hubWithBystander(policy, { token: await bystanderToken() });
      const viaQuery = await connected(`${url}?token=${await signToken({ sub: "query-user" })}`);
      expect(viaQuery.frames[0]?.result).toMatchObject({ userId: "query-user" });
      const viaHeader = await connected(
        url,
        {},
        { headers: { authorization: `Bearer ${await signToken({ sub: "header-user" })}` } },
      );
      expect(viaHeader.frames[0]?.result).toMatchObject({ userId: "header-user" });
      const sub = await viaHeader.request({ type: "subscribe", channel: "news:1" });
      expect(sub.result).toMatchObject({ channel: "news:1" });

      // A bad token in the header is refused like one in the frame.
      const forged = unsignedToken({ sub: "admin" });
      const refused = await refusedConnect(
        url,
        {},
        { headers: { authorization: `Bearer ${forged}` } },
      );
      expect(refused.error).toMatchObject({ code: "token_invalid" });
      await bystander.expectUnaffected();
    });

    it("reads the Authorization header as the HTTP API does: any case, spaces or tabs", async () => {
      const { url } = await hubWithBystander(policy, { token: await bystanderToken() });
      const forms = ["bearer ", "BEARER\t", "Bearer   "];
      for (const [index, scheme] of forms.entries()) {
        const token = await signToken({ sub: `header-user-${index}` });
        const client = await connected(
          url,
          {},
          { headers: { authorization: `${scheme}${token} ` } },
        );
        expect(client.frames[0]?.result, scheme).toMatchObject({ userId: `header-user-${index}` });
      }
    });
  });

  describe("slow handshakes", () => {
    it("closes a client that never sends connect with 4102", async () => {
      const { url, bystander } = await hubWithBystander({
        ...OPEN_POLICY,
        limits: { connectTimeout: 200 },
      });
      const idle = new RawClient(url);
      await idle.open();
      expect(await idle.waitClose()).toBe(4102);
      expect(idle.frames).toEqual([]);
      await bystander.expectUnaffected();
    });
  });
});
