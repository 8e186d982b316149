import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type ClientOptions, type ConnectionState, createClient } from "../src/index.js";
import { HubServer, Signal } from "./hub-fixture.js";

const SECRET = "switchyard-client-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);

/** A connect token for `sub` that expires `seconds` from now (JWT `exp` has whole seconds). */
function sign(sub: string, seconds: number): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + seconds;
  return new SignJWT({ sub }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(key);
}

const disposers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** A hub that wants a JWT; its sweep runs every 25 ms, so an expired token is closed soon. */
async function startHub() {
  const fixture = await HubServer.start({
    auth: { secret: SECRET },
    defaultNamespace: { subscribe: "anyone", publish: "anyone" },
    heartbeat: { interval: 100, timeout: 1_000 },
  });
  disposers.push(() => fixture.stop());
  let connects = 0;
  fixture.hub.on("connect", () => connects++);
  return { fixture, connects: () => connects };
}

function connectClient(url: string, options: Partial<ClientOptions>) {
  const signal = new Signal();
  const client = createClient({
    url,
    reconnect: { minDelay: 20, maxDelay: 200, slowMinDelay: 50, slowMaxDelay: 200 },
    ...options,
  });
  disposers.push(() => client.close());
  const states: ConnectionState[] = [];
  client.connection.subscribe(() => {
    states.push(client.connection.getSnapshot());
    signal.poke();
  });
  const status = () => client.connection.getSnapshot().status;
  return { client, signal, states, status };
}

describe("tokens against a real hub", () => {
  it("stops with a token_expired error when a fixed token expires, instead of retrying it", async () => {
    const { fixture, connects } = await startHub();
    // Expires 1 to 2 s from now: long after the connect.
    const token = await sign("ada", 2);
    const { client, signal, states, status } = connectClient(fixture.url, { token });
    await signal.until(() => status() === "connected", "connected");
    expect(client.connection.getSnapshot().info?.userId).toBe("ada");

    await signal.until(() => status() === "disconnected", "the expiry", 5_000);
    const state = client.connection.getSnapshot();
    expect(state).toMatchObject({
      reason: "token_expired",
      closeCode: closeCodeOf("token_expired"),
      retryAt: null,
      attempt: 0,
    });
    expect(state.error).toBeInstanceOf(SwitchyardError);
    expect(state.error).toMatchObject({ code: "token_expired" });
    expect(state.error?.message).toMatch(/getToken/);
    expect(connects()).toBe(1);
    expect(states.filter((s) => s.status === "reconnecting")).toEqual([]);
  });
});
