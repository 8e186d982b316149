// @vitest-environment happy-dom
/**
 * Hydration: the server's HTML (every hook's server snapshot) hydrates without a mismatch,
 * then the provider creates its client and the hooks show the live hub.
 */
import { hydrateRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SwitchyardProvider, useConnection } from "../src/index.js";
import { Everything } from "./everything.js";
import { cleanup, clientOptions, connect, Signal, startHub } from "./harness.js";

describe("hydration", () => {
  it("hydrates the server's HTML without a mismatch, then goes live", async () => {
    const fixture = await startHub(
      {
        presence: { namespaces: { room: {} } },
        state: {
          documents: {
            settings: {
              keys: { damping: { schema: z.number(), default: 0.5 } },
              read: "anyone",
              write: { "": "anyone" },
            },
          },
        },
      },
      (hub) => hub.rpc("echo", (data) => data),
    );
    const tree = (
      <SwitchyardProvider options={clientOptions(fixture.url)}>
        <Everything />
      </SwitchyardProvider>
    );
    const container = document.createElement("div");
    container.innerHTML = renderToString(tree);
    document.body.append(container);
    const serverText = container.textContent;
    expect(serverText).toContain("connection=disconnected/idle");

    const errors: unknown[] = [];
    const signal = new Signal();
    new MutationObserver(signal.poke).observe(container, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    const root = hydrateRoot(container, tree, {
      onRecoverableError: (error) => errors.push(error),
    });
    cleanup(() => {
      root.unmount();
      container.remove();
    });
    const text = () => container.textContent ?? "";
    await signal.until(
      () => text().includes("connection=connected/connected") && text().includes("damping=0.5"),
      () => `the live hub in "${text()}"`,
    );
    expect(text()).toContain("channel=subscribed");
    expect(text()).toContain("state=ready");
    expect(errors).toEqual([]);
  });

  it("hydrates with a client that is already connected: the server snapshot first, then live", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    await new Promise<void>((resolve) => {
      const stop = client.connection.subscribe(() => {
        if (client.connection.getSnapshot().status !== "connected") return;
        stop();
        resolve();
      });
    });
    const server = renderToString(
      <SwitchyardProvider options={clientOptions(fixture.url)}>
        <Live />
      </SwitchyardProvider>,
    );
    const container = document.createElement("div");
    container.innerHTML = server;
    document.body.append(container);
    const errors: unknown[] = [];
    const signal = new Signal();
    new MutationObserver(signal.poke).observe(container, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    const root = hydrateRoot(
      container,
      <SwitchyardProvider client={client}>
        <Live />
      </SwitchyardProvider>,
      { onRecoverableError: (error) => errors.push(error) },
    );
    cleanup(() => {
      root.unmount();
      container.remove();
    });
    await signal.until(
      () => container.textContent === "connected",
      () => `"connected" in "${container.textContent}"`,
    );
    expect(errors).toEqual([]);
  });
});

function Live() {
  return <span>{useConnection().status}</span>;
}
