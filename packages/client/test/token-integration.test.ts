import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { HubServer, useIntegration } from "./hub-fixture.js";

const SECRET = "switchyard-client-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);

/** A connect token for `sub` that expires `seconds` from now (JWT `exp` has whole seconds). */
function sign(sub: string, seconds: number): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + seconds;
  return new SignJWT({ sub }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(key);
}

const { disposers, connectClient } = useIntegration();

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

  it("reports user_mismatch and reconnects as the new user when getToken's token names another user", async () => {
    const { fixture } = await startHub();
    // The first token is ada's; then the app's user is bob (a logout and login elsewhere).
    let calls = 0;
    const getToken = () => sign(++calls === 1 ? "ada" : "bob", 60);
    const { client, signal, states } = connectClient(fixture.url, {
      getToken,
      refreshBeforeExpiry: 60_000, // refresh right after the connect
    });
    const errors: SwitchyardError[] = [];
    client.on("error", (error) => {
      errors.push(error);
      signal.poke();
    });
    const userId = () => client.connection.getSnapshot().info?.userId;
    await signal.until(() => userId() === "bob", "connected as bob", 5_000);

    expect(states.find((s) => s.status === "connected")?.info?.userId).toBe("ada");
    expect(errors.map((error) => error.code)).toEqual(["user_mismatch"]);
    expect(errors[0]).toBeInstanceOf(SwitchyardError);
    const switched = states.find((s) => s.reason === "user_mismatch");
    expect(switched).toMatchObject({ status: "reconnecting" });
    expect(switched?.error).toBe(errors[0]);
    // The link of ada is gone from the hub: nothing of hers reaches bob's client.
    fixture.hub.on("disconnect", signal.poke);
    const users = () => fixture.hub.clients().map((info) => info.userId);
    await signal.until(
      () => users().join() === "bob",
      () => `only bob, not ${users()}`,
      5_000,
    );
  });
});
