import { randomUUID } from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
import { expect } from "vitest";
import WebSocket from "ws";
import type { Hub } from "../../src/index.js";
import { onCleanup, RawClient } from "./fixtures.js";

/** The HS256 secret of test hubs: `createHub({ auth: { secret: SECRET } })`. */
export const SECRET = "switchyard-test-secret-of-at-least-32-bytes";

/** Seconds since the Unix epoch, as in a token's `exp`. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Signs a JWT with HS256 (by default with {@link SECRET}). */
export function signToken(claims: JWTPayload, secret: string = SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned token with header `{"alg":"none"}`, built by hand as an attacker would. */
export function unsignedToken(claims: JWTPayload): string {
  return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
}

/** What the server answered to a refused WebSocket upgrade. */
export interface RefusedUpgrade {
  status: number;
  body: unknown;
}

/** Attempts an upgrade that the hub should refuse; resolves with the HTTP response. */
export function refusedUpgrade(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on("error", () => {});
    onCleanup(() => ws.terminate());
    ws.on("open", () => reject(new Error("the upgrade was accepted")));
    ws.on("unexpected-response", (_request, response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    });
  });
}

/** One WebSocket message as it arrived: text or binary, and what it decoded to. */
export interface RawMessage {
  binary: boolean;
  decoded: unknown;
}

/** Records every WebSocket message `client` receives from now on, undecoded batches intact. */
export function recordMessages(client: RawClient): RawMessage[] {
  const messages: RawMessage[] = [];
  client.ws.on("message", (data: Buffer, binary: boolean) => {
    messages.push({
      binary,
      decoded: client.codec.decode(binary ? new Uint8Array(data) : data.toString()),
    });
  });
  return messages;
}

/** The frames of a client that report an error (error frames and failed replies). */
export function errorsOf(client: RawClient): Record<string, unknown>[] {
  return client.frames.filter((f) => f.type === "error" || (f.type === "reply" && "error" in f));
}

const STILL_HERE = "bystander-check";

/**
 * A connected client that takes no part in a test, to show that bad input from someone else
 * leaves it alone: after the test's damage, {@link Bystander.expectUnaffected} publishes to
 * it, checks it got exactly that, and checks that a fresh client can still connect.
 */
export class Bystander {
  private constructor(
    readonly hub: Hub,
    readonly url: string,
    readonly client: RawClient,
    private readonly fields: Record<string, unknown>,
  ) {}

  /** Connects a bystander; `fields` go into its connect frame (a token when one is needed). */
  static async join(
    hub: Hub,
    url: string,
    fields: Record<string, unknown> = {},
  ): Promise<Bystander> {
    const client = new RawClient(url);
    await client.connect(fields);
    return new Bystander(hub, url, client, fields);
  }

  /** The server still serves: the bystander gets a publish, a new client can connect. */
  async expectUnaffected(): Promise<void> {
    const nonce = randomUUID();
    await this.hub.broadcast(STILL_HERE, { nonce });
    const event = await this.client.next(
      (f) => f.type === "event" && (f.data as { nonce?: unknown } | null)?.nonce === nonce,
    );
    expect(event).toMatchObject({ channel: "$broadcast", event: STILL_HERE });
    expect(this.client.closeCode).toBeUndefined();
    expect(errorsOf(this.client)).toEqual([]);
    // It saw nothing but our own checks: no one else's data leaked to it.
    expect(this.client.events().filter((f) => f.event !== STILL_HERE)).toEqual([]);

    const fresh = new RawClient(this.url);
    await fresh.connect(this.fields);
    const pong = await fresh.request({ type: "ping" });
    expect(pong.result).toEqual({});
  }
}
