/**
 * The connect and refresh proxies against a real HTTP backend: allow, refuse, temporary
 * refusal, timeout, 5xx, unreachable, garbage; allowlisted headers and cookies; refresh
 * extending a connection and ending it once the backend revoked the session.
 */
import { closeCodeOf } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { HubOptions } from "../../../src/index.js";
import { RawClient, startHub } from "../../helpers/fixtures.js";
import { type Answer, type Received, TestBackend } from "./backend.js";

async function hubWith(
  answer: (r: Received) => Answer,
  more: (backendUrl: string) => Partial<HubOptions> = () => ({}),
) {
  const backend = await TestBackend.start(answer);
  const extra = more(backend.url);
  const fixture = await startHub({
    defaultNamespace: { subscribe: "authenticated" },
    ...extra,
    proxy: {
      connect: {
        url: `${backend.url}/connect`,
        // The default: a loaded machine answers well within it, a hanging backend costs it.
        timeout: 1_000,
        cookies: ["session"],
        headers: ["x-tenant"],
      },
      ...extra.proxy,
    },
  });
  return { backend, ...fixture };
}

/** Connects a raw client and returns its connect reply and, when refused, the close code. */
async function attempt(
  url: string,
  fields: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const client = new RawClient(url, { headers });
  await client.open();
  const reply = await client.request({ type: "connect", ...fields });
  const close = reply.error === undefined ? undefined : await client.waitClose();
  return { client, reply, close };
}

describe("the connect proxy", () => {
  it("lets the backend name the user, info, meta and channels from cookies, headers and data", async () => {
    const { url, hub, backend } = await hubWith(({ body }) =>
      (body.cookies as Record<string, string>).session === "s-ada"
        ? {
            json: {
              result: {
                userId: "ada",
                info: { name: "Ada" },
                meta: { plan: 1 },
                channels: ["sim:1"],
              },
            },
          }
        : { json: { error: { code: 1001, message: "No session" } } },
    );
    const { reply } = await attempt(
      url,
      { data: { room: 7 }, sdk: "test/1" },
      { cookie: "theme=dark; session=s-ada", "x-tenant": "acme", authorization: "Basic x" },
    );
    expect(reply.result).toMatchObject({ userId: "ada", channels: { "sim:1": { offset: 0 } } });
    const { body } = await backend.next();
    expect(body).toMatchObject({
      data: { room: 7 },
      sdk: "test/1",
      codec: "json",
      ip: "127.0.0.1",
      cookies: { session: "s-ada" },
      headers: { "x-tenant": "acme" },
    });
    expect(body.cookies).toEqual({ session: "s-ada" });
    expect(body.headers).toEqual({ "x-tenant": "acme" });
    expect(hub.clients()[0]).toMatchObject({
      userId: "ada",
      info: { name: "Ada" },
      meta: { plan: 1 },
    });
  });

  it("closes a refused connect with 4004 and passes the backend's code and message", async () => {
    const { url } = await hubWith(() => ({ json: { error: { code: 1403, message: "Banned" } } }));
    const { reply, close } = await attempt(url);
    expect(reply.error).toEqual({
      code: "backend_error",
      message: "Banned",
      details: { code: 1403, message: "Banned", temporary: false },
    });
    expect(close).toBe(closeCodeOf("backend_error"));
  });

  it("closes a temporary refusal in the back-off class (4105) with the backend's details", async () => {
    const { url } = await hubWith(() => ({
      json: { error: { code: 1503, message: "Database busy", temporary: true } },
    }));
    const { reply, close } = await attempt(url);
    expect(reply.error).toMatchObject({
      code: "backend_unavailable",
      details: { code: 1503, temporary: true },
    });
    expect(close).toBe(closeCodeOf("backend_unavailable"));
  });

  it("maps a hanging backend to backend_timeout (4106), a 500 to 4105, garbage to 4107", async () => {
    // Garbage includes a result the hub cannot take: a bad user id, another user's channel.
    let mode: "hang" | "500" | "garbage" | "bad-code" | "bad-user" | "bad-id" | "personal" = "hang";
    const { url, hub } = await hubWith(() => {
      switch (mode) {
        case "hang":
          return { hang: true };
        case "500":
          return { status: 500, text: "oops" };
        case "garbage":
          return { text: "<html>hi</html>" };
        case "bad-code":
          return { json: { error: { code: 42, message: "x" } } };
        case "bad-user":
          return { json: { result: { userId: 7 } } };
        case "bad-id":
          return { json: { result: { userId: "ada lovelace" } } };
        case "personal":
          return { json: { result: { userId: "ada", channels: ["$user:bob"] } } };
      }
    });
    const timedOut = await attempt(url);
    expect(timedOut.reply.error).toMatchObject({ code: "backend_timeout" });
    expect(timedOut.close).toBe(closeCodeOf("backend_timeout"));
    mode = "500";
    const failed = await attempt(url);
    expect(failed.reply.error).toMatchObject({
      code: "backend_unavailable",
      details: { status: 500 },
    });
    expect(failed.close).toBe(4105);
    for (const garbage of ["garbage", "bad-code", "bad-user", "bad-id", "personal"] as const) {
      mode = garbage;
      const invalid = await attempt(url);
      expect(invalid.reply.error, garbage).toMatchObject({ code: "backend_invalid_answer" });
      expect(invalid.close).toBe(4107);
    }
    expect(hub.stats().features.proxy).toMatchObject({
      calls: 7,
      invalid: 5,
      timedOut: 1,
      failed: 1,
    });
  });

  it("maps an unreachable backend to backend_unavailable", async () => {
    const backend = await TestBackend.start(() => ({ json: {} }));
    const dead = backend.url;
    // A port nobody listens on: the backend's, once its server is closed.
    const { url } = await startHub({
      proxy: { connect: { url: `${dead.replace(/:\d+$/, ":1")}/connect` } },
    });
    const { reply, close } = await attempt(url);
    expect(reply.error).toMatchObject({ code: "backend_unavailable" });
    expect(close).toBe(closeCodeOf("backend_unavailable"));
  });

  it("leaves a connect with a token to the JWT check", async () => {
    const { url, backend } = await hubWith(() => ({ json: { result: { userId: "ada" } } }));
    const { reply } = await attempt(url, { token: "not.a.jwt" });
    expect(reply.error).toMatchObject({ code: "token_invalid" });
    expect(backend.received).toHaveLength(0);
  });

  it("signs every request when a secret is set", async () => {
    const { createHmac } = await import("node:crypto");
    const { url, backend } = await hubWith(
      () => ({ json: { result: { userId: "ada" } } }),
      () => ({ proxy: { secret: "s3cret" } }),
    );
    await attempt(url);
    const { headers, raw } = await backend.next();
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers["switchyard-signature"]));
    expect(match).not.toBeNull();
    const [, t, v1] = match as RegExpExecArray;
    expect(createHmac("sha256", "s3cret").update(`${t}.${raw}`).digest("hex")).toBe(v1);
  });
});

describe("the refresh proxy", () => {
  it("extends a connection at expiresAt until the backend revokes the session, then closes it (4004)", async () => {
    let revoked = false;
    const { url, backend } = await hubWith(
      ({ path }) => {
        if (path === "/connect")
          return { json: { result: { userId: "ada", expiresAt: Date.now() + 60 } } };
        if (revoked) return { json: { error: { code: 1401, message: "Session revoked" } } };
        return { json: { result: { expiresAt: Date.now() + 60 } } };
      },
      (backendUrl) => ({
        heartbeat: { interval: 40, timeout: 5_000 },
        proxy: { refresh: { url: `${backendUrl}/refresh` } },
      }),
    );
    const { client } = await attempt(url);
    // Wait for a refresh that the backend allowed, then revoke the session.
    await backend.next((r) => r.path === "/refresh");
    expect(client.closeCode).toBeUndefined();
    revoked = true;
    expect(await client.waitClose()).toBe(closeCodeOf("backend_error"));
    expect(client.closeReason).toBe("Session revoked");
    const refresh = backend.received.find((r) => r.path === "/refresh");
    expect(refresh?.body).toMatchObject({ client: { userId: "ada" } });
  });

  it("keeps the connection while the backend cannot answer, and asks again after retryInterval", async () => {
    let refreshes = 0;
    const { url, backend } = await hubWith(
      ({ path }) => {
        if (path === "/connect")
          return { json: { result: { userId: "ada", expiresAt: Date.now() + 30 } } };
        refreshes++;
        // An outage, garbage, no answer in time, then a refusal.
        if (refreshes === 1) return { status: 502 };
        if (refreshes === 2) return { text: "nope" };
        if (refreshes === 3) return { hang: true };
        return { json: { error: { code: 1401, message: "Gone" } } };
      },
      (backendUrl) => ({
        heartbeat: { interval: 20, timeout: 5_000 },
        proxy: { refresh: { url: `${backendUrl}/refresh`, retryInterval: 30, timeout: 300 } },
      }),
    );
    const { client } = await attempt(url);
    expect(await client.waitClose()).toBe(closeCodeOf("backend_error"));
    expect(client.closeReason).toBe("Gone");
    // Only the fourth answer refuses: the three before it kept the connection. (A loaded
    // machine may see an answer late and ask once more; the outcome is the same.)
    expect(backend.count("/refresh")).toBeGreaterThanOrEqual(4);
  });

  it("closes a proxied connection with token_expired at expiresAt when there is no refresh hook", async () => {
    const { url, backend } = await hubWith(
      () => ({ json: { result: { userId: "ada", expiresAt: Date.now() + 30 } } }),
      () => ({ heartbeat: { interval: 20, timeout: 5_000 } }),
    );
    const { client } = await attempt(url);
    expect(await client.waitClose()).toBe(closeCodeOf("token_expired"));
    expect(backend.count("/connect")).toBe(1);
  });
});
