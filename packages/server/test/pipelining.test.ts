/**
 * Requests pipelined behind `connect` (docs/protocol.md, "Requests"): a client may send its
 * whole start-up without waiting for the connect reply, in one batch or message after message.
 */
import { describe, expect, it } from "vitest";
import type { HubOptions } from "../src/index.js";
import { OPEN_POLICY, RawClient, startHub, useTransport } from "./helpers/fixtures.js";
import { signToken, TEST_SECRET } from "./helpers/tokens.js";
import { TRANSPORTS } from "./helpers/transport.js";

type Frame = Record<string, unknown>;

const CODECS = ["json", "msgpack"] as const;
const CLIENTS = 50;

/** Connect, subscribe, publish to the channel subscribed, ping: one client's start-up. */
function startUp(channel: string, fields: Frame = {}): Frame[] {
  return [
    { type: "connect", id: 1, ...fields },
    { type: "subscribe", id: 2, channel },
    { type: "publish", id: 3, channel, event: "hello", data: { channel } },
    { type: "ping", id: 4 },
  ];
}

/** Resolves with the replies to ids 1..count, in the order they arrived. */
async function replies(client: RawClient, count: number): Promise<Frame[]> {
  for (let id = 1; id <= count; id++) {
    await client.next((frame) => frame.type === "reply" && frame.id === id);
  }
  return client.frames.filter((frame) => frame.type === "reply");
}

/** Every reply succeeded, one per request, in request order; the event reached the client. */
async function expectStartedUp(client: RawClient, channel: string): Promise<void> {
  const answered = await replies(client, 4);
  expect(answered.map((reply) => reply.id)).toEqual([1, 2, 3, 4]);
  for (const reply of answered) expect(reply.error, JSON.stringify(reply)).toBeUndefined();
  expect(answered[1]?.result).toMatchObject({ channel, offset: 0 });
  expect(answered[2]?.result).toMatchObject({ offset: 1 });
  const event = await client.next((frame) => frame.type === "event" && frame.channel === channel);
  expect(event).toMatchObject({ event: "hello", offset: 1, data: { channel } });
}

describe.each(TRANSPORTS)("over the %s transport", (transport) => {
  useTransport(transport);

  describe.each(CODECS)("in %s", (codec) => {
    it(`runs a start-up sent as one batch, on ${CLIENTS} connections at once`, async () => {
      const { url } = await startHub(OPEN_POLICY);
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, () => new RawClient(url, { codec }).open()),
      );
      clients.forEach((client, i) => {
        client.send(startUp(`pipe:${i}`));
      });
      await Promise.all(clients.map((client, i) => expectStartedUp(client, `pipe:${i}`)));
    });

    it(`runs a start-up sent message after message, on ${CLIENTS} connections at once`, async () => {
      const { url } = await startHub(OPEN_POLICY);
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, () => new RawClient(url, { codec }).open()),
      );
      clients.forEach((client, i) => {
        for (const frame of startUp(`pipe:${i}`)) client.send(frame);
      });
      await Promise.all(clients.map((client, i) => expectStartedUp(client, `pipe:${i}`)));
    });
  });

  describe("behind a connect that fails", () => {
    const AUTH: HubOptions = { auth: { secret: TEST_SECRET }, ...OPEN_POLICY };

    it("answers each pipelined request with the connect's error, then closes", async () => {
      const { url, hub } = await startHub(AUTH);
      const client = await new RawClient(url).open();
      client.send(startUp("pipe:1", { token: "not-a-token" }));
      expect(await client.waitClose()).toBe(4002);
      const answered = client.frames.filter((frame) => frame.type === "reply");
      expect(answered.map((reply) => [reply.id, (reply.error as Frame).code])).toEqual([
        [1, "token_invalid"],
        [2, "token_invalid"],
        [3, "token_invalid"],
        [4, "token_invalid"],
      ]);
      // Nothing behind the failed connect ran.
      expect((await hub.history("pipe:1")).events).toEqual([]);
    });

    it("answers them with its error and keeps a connection whose connect was only invalid", async () => {
      const { url } = await startHub(AUTH);
      const client = await new RawClient(url).open();
      client.send(startUp("pipe:1", { sessionId: "has space" }));
      const answered = await replies(client, 4);
      expect(answered.map((reply) => (reply.error as Frame).code)).toEqual([
        "invalid_frame",
        "invalid_frame",
        "invalid_frame",
        "invalid_frame",
      ]);
      // A request sent while no connect is pending is simply not_connected; a new connect works.
      client.send({ type: "ping", id: 5 });
      const ping = await client.next((frame) => frame.type === "reply" && frame.id === 5);
      expect(ping.error).toMatchObject({ code: "not_connected" });
      client.send(startUp("pipe:2", { id: 6, token: await signToken("ada") }));
      await client.next((frame) => frame.type === "event" && frame.channel === "pipe:2");
    });
  });

  it("runs an RPC pipelined behind connect as the connected client", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    hub.rpc("whoami", (_data, { client }) => ({ clientId: client.clientId }));
    const client = await new RawClient(url).open();
    client.send([
      { type: "connect", id: 1 },
      { type: "rpc", id: 2, method: "whoami" },
    ]);
    const [connect, rpc] = await replies(client, 2);
    expect(rpc?.result).toEqual({ clientId: (connect?.result as Frame | undefined)?.clientId });
  });
});

describe("a batch past the rate limit", () => {
  it("answers every request of the batch before the close", async () => {
    const { url } = await startHub({ ...OPEN_POLICY, limits: { rate: 20, burst: 20 } });
    const client = await new RawClient(url).open();
    const pings = Array.from({ length: 40 }, (_, i) => ({ type: "ping", id: 100 + i }));
    // The connect takes the first token; the last ping tips the debt past another burst.
    client.send([{ type: "connect", id: 1 }, ...pings]);
    expect(await client.waitClose()).toBe(4100);
    const answered = client.frames.filter((frame) => frame.type === "reply");
    expect(answered.map((reply) => reply.id)).toEqual([1, ...pings.map((ping) => ping.id)]);
    const ok = answered.filter((reply) => reply.error === undefined);
    const limited = answered.filter((reply) => (reply.error as Frame)?.code === "rate_limited");
    // One token may have been refilled meanwhile (20 per second).
    expect(ok.length).toBeGreaterThanOrEqual(20);
    expect(ok.length + limited.length).toBe(41);
  });

  it("answers what a flood sent before the close, message after message", async () => {
    const { url } = await startHub({ ...OPEN_POLICY, limits: { rate: 20, burst: 20 } });
    const client = await new RawClient(url).open();
    client.send({ type: "connect", id: 1 });
    for (let id = 100; id < 140; id++) client.send({ type: "ping", id });
    expect(await client.waitClose()).toBe(4100);
    const answered = client.frames.filter((frame) => frame.type === "reply");
    expect(answered.map((reply) => reply.id)).toEqual([
      1,
      ...Array.from({ length: 40 }, (_, i) => 100 + i),
    ]);
  });
});
