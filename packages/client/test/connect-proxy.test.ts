/**
 * The SDK against a hub whose connect proxy asks a real HTTP backend: `connectData` reaches
 * the backend, a refusal stops the client with the backend's own code, a temporary one makes
 * it retry on the slow tier until the backend lets it in.
 */
import { closeCodeOf, SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { type Answer, TestBackend } from "../../server/test/features/proxy/backend.js";
import { SDK_NAME } from "../src/index.js";
import { HubServer, useIntegration } from "./hub-fixture.js";

const { disposers, connectClient } = useIntegration();

async function hubWith(answer: (body: Record<string, unknown>) => Answer) {
  const backend = await TestBackend.start(({ body }) => answer(body));
  const fixture = await HubServer.start({
    defaultNamespace: { subscribe: "authenticated" },
    proxy: { connect: { url: `${backend.url}/connect` } },
  });
  disposers.push(() => fixture.stop());
  return { backend, fixture };
}

describe("connectData and the connect proxy", () => {
  it("sends connectData and the SDK's name to the backend, which names the user", async () => {
    const { fixture, backend } = await hubWith(({ data }) => ({
      json: { result: { userId: (data as { user: string }).user } },
    }));
    const { client, signal, status } = connectClient(fixture.url, {
      connectData: async () => ({ user: "ada" }),
    });
    await signal.until(() => status() === "connected", "connected");
    expect(client.connection.getSnapshot().info?.userId).toBe("ada");
    expect((await backend.next()).body).toMatchObject({ data: { user: "ada" }, sdk: SDK_NAME });
  });

  it("stops on a refusal, with the backend's code in the error's details", async () => {
    const { fixture, backend } = await hubWith(() => ({
      json: { error: { code: 1401, message: "Log in first" } },
    }));
    const { client, signal, status } = connectClient(fixture.url);
    await signal.until(() => status() === "disconnected", "stopped");
    const state = client.connection.getSnapshot();
    expect(state).toMatchObject({ reason: "backend_error", retryAt: null });
    expect(state.error).toBeInstanceOf(SwitchyardError);
    expect(state.error).toMatchObject({ code: "backend_error", details: { code: 1401 } });
    expect(backend.count("/connect")).toBe(1);
  });

  it("retries a temporary refusal on the slow tier until the backend lets it in", async () => {
    let asked = 0;
    const { fixture } = await hubWith(() =>
      ++asked < 3
        ? { json: { error: { code: 1503, message: "Starting up", temporary: true } } }
        : { json: { result: { userId: "ada" } } },
    );
    const { client, signal, status, states } = connectClient(fixture.url);
    await signal.until(() => status() === "connected", "connected after retries", 5_000);
    expect(asked).toBe(3);
    const refused = states.filter((s) => s.reason === "backend_unavailable");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ closeCode: closeCodeOf("backend_unavailable") });
    expect(client.connection.getSnapshot().info?.userId).toBe("ada");
  });
});
