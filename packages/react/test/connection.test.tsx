// @vitest-environment happy-dom
import type { Client } from "@switchyard/client";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SwitchyardProvider, useConnection, useSwitchyard } from "../src/index.js";
import { clientOptions, connect, mount, Signal, startHub } from "./harness.js";

function Status() {
  const { status, reason, attempt, retryAt, reconnect } = useConnection();
  return (
    <div>
      <p>
        status={status} reason={reason} attempt={attempt} waiting={retryAt === null ? "no" : "yes"}
      </p>
      <button type="button" onClick={reconnect}>
        Retry now
      </button>
    </div>
  );
}

function Owner({ seen }: { seen: (Client | null)[] }) {
  seen.push(useSwitchyard());
  return null;
}

describe("SwitchyardProvider and useConnection", () => {
  it("creates one client from options under StrictMode, shows its connection, and closes it on unmount", async () => {
    const fixture = await startHub();
    const signal = new Signal();
    let connects = 0;
    let disconnects = 0;
    fixture.hub.on("connect", () => {
      connects += 1;
      signal.poke();
    });
    fixture.hub.on("disconnect", () => {
      disconnects += 1;
      signal.poke();
    });
    const seen: (Client | null)[] = [];
    const view = mount(
      <SwitchyardProvider options={clientOptions(fixture.url)}>
        <Status />
        <Owner seen={seen} />
      </SwitchyardProvider>,
      { strict: true },
    );
    await view.text("status=connected reason=connected attempt=0 waiting=no");
    // The first render had no client yet (as on the server), then the one it created.
    expect(seen[0]).toBeNull();
    expect(connects).toBe(1);
    const clients = new Set(seen.filter((client) => client !== null));
    expect(clients.size).toBe(1);

    view.unmount();
    await signal.until(() => disconnects === 1, "the hub to see the client leave");
    expect([...clients][0]?.connection.getSnapshot().status).toBe("closed");
    expect(connects).toBe(1);
  });

  it("never closes a client it was given", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    const view = mount(
      <SwitchyardProvider client={client}>
        <Status />
      </SwitchyardProvider>,
    );
    await view.text("status=connected");
    view.unmount();
    // Still usable: a round trip to the hub after the provider is gone.
    await client.ping();
    expect(client.connection.getSnapshot().status).toBe("connected");
  });

  it("shows the wait for the next attempt, and reconnect() starts it now", async () => {
    const fixture = await startHub();
    // A backoff so long that only reconnect() brings the link back within the test.
    const client = connect(fixture.url, {
      reconnect: { minDelay: 60_000, maxDelay: 60_000, slowMinDelay: 60_000, slowMaxDelay: 60_000 },
    });
    const view = mount(
      <SwitchyardProvider client={client}>
        <Status />
      </SwitchyardProvider>,
    );
    await view.text("status=connected");
    await fixture.stop();
    await view.until(
      () => /status=reconnecting .* waiting=yes/.test(view.container.textContent ?? ""),
      () => `waiting to reconnect in "${view.container.textContent}"`,
    );
    await fixture.start();
    view.container.querySelector("button")?.click();
    await view.text("status=connected reason=connected");
  });

  it("throws a clear error outside a provider", () => {
    expect(() => renderToString(<Status />)).toThrow(/inside a <SwitchyardProvider>/);
  });
});
