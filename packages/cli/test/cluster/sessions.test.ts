/**
 * Session ids across the nodes of a cluster on one real Redis: a session is bound to the
 * identity it was made for on every node, and sends to it reach its clients on every node and
 * nobody else.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisProcess, rawCommand } from "../../../redis/test/helpers/redis-process.js";
import { resolveConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type ServerHandle, startServer } from "../../src/serve.js";
import { onCleanup, WsClient } from "../helpers.js";
import { API_KEY } from "./fixtures.js";

const SECRET = "cluster-test-secret-of-at-least-32-bytes";
/** A session id the hub issued. */
const ISSUED = /^[A-Za-z0-9_-]{43}$/;

function sign(sub: string): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .sign(new TextEncoder().encode(SECRET));
}

let redis: RedisProcess;
beforeAll(async () => {
  redis = await RedisProcess.start();
  return () => redis.stop();
});

/** Two nodes of one cluster: tokens verified, anonymous clients welcome. */
async function twoNodes(): Promise<[ServerHandle, ServerHandle]> {
  const prefix = `sessions-${randomUUID().slice(0, 8)}`;
  const start = async () => {
    const config = resolveConfig({
      flags: {
        port: 0,
        apiKey: API_KEY,
        auth: { secret: SECRET },
        allowAnonymous: true,
        shutdownTimeout: 200,
        redis: { url: redis.url, prefix, startTimeout: 2_000 },
      },
    });
    const handle = await startServer(config, { logger: createLogger("silent") });
    onCleanup(() => handle.close());
    return handle;
  };
  return [await start(), await start()];
}

/** Connects to `node` and resolves with the client and the session it joined. */
async function connect(node: ServerHandle, fields: Record<string, unknown> = {}) {
  const client = new WsClient(node.wsUrl);
  const result = await client.request({ type: "connect", ...fields });
  return { client, sessionId: result.sessionId as string };
}

describe("session ids in a cluster", () => {
  it("keep an authenticated user's own id on every node, and nobody else's", async () => {
    const [a, b] = await twoNodes();
    const ada = await sign("ada");
    const laptop = await connect(a, { token: ada, sessionId: "ada-laptop" });
    expect(laptop.sessionId).toBe("ada-laptop");
    const reconnected = await connect(b, { token: ada, sessionId: "ada-laptop" });
    expect(reconnected.sessionId).toBe("ada-laptop");

    const mallory = await connect(b, { token: await sign("mallory"), sessionId: "ada-laptop" });
    const anonymous = await connect(b, { sessionId: "ada-laptop" });
    for (const intruder of [mallory, anonymous]) {
      expect(intruder.sessionId).not.toBe("ada-laptop");
      expect(intruder.sessionId).toMatch(ISSUED);
    }

    // A send to the session through node A's HTTP API reaches Ada's tabs on both nodes.
    const sent = await fetch(`${a.url}/api/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ to: { sessionId: "ada-laptop" }, event: "private", data: 1 }),
    });
    expect(sent.status).toBe(200);
    for (const tab of [laptop, reconnected]) {
      await tab.client.next((f) => f.type === "event" && f.event === "private");
    }
    // Then one to each intruder's own session: it is all they get.
    for (const intruder of [mallory, anonymous]) {
      await fetch(`${a.url}/api/send`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ to: { sessionId: intruder.sessionId }, event: "own" }),
      });
      await intruder.client.next((f) => f.type === "event" && f.event === "own");
      expect(intruder.client.frames.filter((f) => f.type === "event").map((f) => f.event)).toEqual([
        "own",
      ]);
    }
  });

  it("honour an id issued on one node on every node, for its identity only, across a FLUSHALL", async () => {
    const [a, b] = await twoNodes();
    const first = await connect(a);
    expect(first.sessionId).toMatch(ISSUED);
    expect((await connect(b, { sessionId: first.sessionId })).sessionId).toBe(first.sessionId);
    const mallory = await connect(b, { token: await sign("mallory"), sessionId: first.sessionId });
    expect(mallory.sessionId).not.toBe(first.sessionId);
    expect((await connect(b, { sessionId: "abc" })).sessionId).toMatch(ISSUED);

    // Redis loses everything: the nodes still know the secret the id was issued under.
    expect(await rawCommand(redis.port, "FLUSHALL")).toBe("+OK");
    expect((await connect(a, { sessionId: first.sessionId })).sessionId).toBe(first.sessionId);
    expect((await connect(b, { sessionId: first.sessionId })).sessionId).toBe(first.sessionId);
  });
});
