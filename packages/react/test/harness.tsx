/**
 * What the hook tests share: a real hub on port 0 (the client's hub fixture), clients closed
 * after each test, React roots mounted in the DOM of the test environment and unmounted after
 * each test, and waits that re-check on every DOM mutation (no polling, no sleeps).
 */
import { type Client, type ClientOptions, createClient } from "@switchyard/client";
import type { HubOptions } from "@switchyard/server";
import { Signal } from "@switchyard/server/testing";
import { type ReactNode, StrictMode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach } from "vitest";
import { WebSocket } from "ws";
import { HubServer } from "../../client/test/hub-fixture.js";

export { Signal } from "@switchyard/server/testing";
export { HubServer } from "../../client/test/hub-fixture.js";

type Disposer = () => Promise<void> | void;
const disposers: Disposer[] = [];
afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** Runs `dispose` after the test (the last pushed first). */
export function cleanup(dispose: Disposer): void {
  disposers.push(dispose);
}

/** A hub on port 0 whose channels anyone may subscribe and publish to; stopped after the test. */
export async function startHub(
  options: HubOptions = {},
  setup?: (hub: HubServer["hub"]) => void,
): Promise<HubServer> {
  const fixture = await HubServer.start(
    {
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone", publish: "anyone" },
      ...options,
    },
    setup ? { setup } : {},
  );
  cleanup(() => fixture.stop());
  return fixture;
}

/** Client options for `url`: the `ws` WebSocket (Node 20), short reconnect delays. */
export function clientOptions(url: string, options: Partial<ClientOptions> = {}): ClientOptions {
  return {
    url,
    WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
    reconnect: { minDelay: 20, maxDelay: 200, slowMinDelay: 50, slowMaxDelay: 200 },
    ...options,
  };
}

/** A client of `url`, closed after the test. */
export function connect(url: string, options: Partial<ClientOptions> = {}): Client {
  const client = createClient(clientOptions(url, options));
  cleanup(() => client.close());
  return client;
}

/** Counts the hub's subscribe and unsubscribe events per channel. */
export function countSubscriptions(hub: HubServer["hub"], signal = new Signal()) {
  const subscribes = new Map<string, number>();
  const unsubscribes = new Map<string, number>();
  hub.on("subscribe", ({ channel }) => {
    subscribes.set(channel, (subscribes.get(channel) ?? 0) + 1);
    signal.poke();
  });
  hub.on("unsubscribe", ({ channel }) => {
    unsubscribes.set(channel, (unsubscribes.get(channel) ?? 0) + 1);
    signal.poke();
  });
  return {
    signal,
    subscribes: (channel: string) => subscribes.get(channel) ?? 0,
    unsubscribes: (channel: string) => unsubscribes.get(channel) ?? 0,
  };
}

/** A mounted React tree. */
export interface Mounted {
  readonly container: HTMLElement;
  readonly root: Root;
  /** Renders `ui` in place of the tree (same root). */
  rerender(ui: ReactNode): void;
  /** Unmounts the tree (also done after the test). */
  unmount(): void;
  /** Resolves once `check()` holds, re-checked on every change of the DOM. */
  until(check: () => boolean, what: string | (() => string)): Promise<void>;
  /** Resolves once the container's text contains `text`. */
  text(text: string): Promise<void>;
}

/** Mounts `ui` in a new element of the document (in StrictMode with `strict`). */
export function mount(ui: ReactNode, { strict = false } = {}): Mounted {
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  const wrap = (node: ReactNode) => (strict ? <StrictMode>{node}</StrictMode> : node);
  const signal = new Signal();
  const observer = new MutationObserver(signal.poke);
  observer.observe(container, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
  let mounted = true;
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    root.unmount();
    observer.disconnect();
    container.remove();
  };
  cleanup(unmount);
  root.render(wrap(ui));
  const until = (check: () => boolean, what: string | (() => string)) => signal.until(check, what);
  return {
    container,
    root,
    rerender: (node) => root.render(wrap(node)),
    unmount,
    until,
    text: (text) =>
      until(
        () => container.textContent?.includes(text) ?? false,
        () => `"${text}" in "${container.textContent}"`,
      ),
  };
}
