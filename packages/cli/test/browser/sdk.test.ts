import { readFile } from "node:fs/promises";
import type { HubOptions } from "@switchyard/server";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { onCleanup } from "../helpers.js";
import { type AppServer, startAppServer } from "./app-server.js";
import { useBrowser } from "./chromium.js";
import { HubServer, SharedBroker } from "./hub-server.js";
import type { Probe } from "./probe.js";

const HISTORY = { size: 1000, ttl: 120_000 };
const ANONYMOUS: HubOptions = {
  allowAnonymous: true,
  defaultNamespace: { subscribe: "anyone", history: HISTORY },
};
const SECRET = "browser-test-secret";
const PROBE_PAGE = new URL("./pages/sdk-probe.html", import.meta.url);

const browser = useBrowser();

/** The app origin serving the probe page, and (optionally) its token endpoint. */
async function appServer(token?: () => Promise<string>): Promise<AppServer> {
  const html = await readFile(PROBE_PAGE, "utf8");
  const app = await startAppServer({
    "/": () => ({ type: "text/html; charset=utf-8", body: html }),
    ...(token ? { "/token": async () => ({ type: "text/plain", body: await token() }) } : {}),
  });
  onCleanup(() => app.close());
  return app;
}

async function hubServer(hub: HubOptions, shared?: SharedBroker): Promise<HubServer> {
  const { inspectorDir } = await browser();
  const server = await HubServer.start({ hub, inspectorDir, shared });
  onCleanup(() => server.stop());
  return server;
}

/** Opens the probe page on `app`, loading the SDK from `hub`; resolves once subscribed. */
async function openProbe(app: AppServer, hub: HubServer, channel: string, query = "") {
  const page = await (await browser()).chromium.newPage();
  onCleanup(() => page.close());
  const params = new URLSearchParams({ hub: hub.url, channel });
  await page.goto(`${app.url}/?${params}${query}`);
  await page.waitForFunction(() => window.probe?.subscribed === true);
  const probe = () => page.evaluate(() => window.probe as Probe);
  const events = (count: number) =>
    page.waitForFunction((n) => (window.probe?.events.length ?? 0) >= n, count);
  return { page, probe, events };
}

describe("the client SDK in Chromium", () => {
  it("loads from the hub's /sdk/switchyard-client.js on another origin and receives events", async () => {
    const { chromium } = await browser();
    const hub = await hubServer(ANONYMOUS);
    const app = await appServer();
    const { probe, events } = await openProbe(app, hub, "news");
    for (let n = 1; n <= 3; n++) await hub.publish("news", "headline", { n });
    await events(3);

    const seen = await probe();
    expect(seen.events).toEqual(
      [1, 2, 3].map((n) => ({
        channel: "news",
        event: "headline",
        offset: n,
        data: { n },
      })),
    );
    // One link, never dropped (the page subscribed to the store after `connecting`).
    expect(seen.states).toEqual([
      { status: "connected", reason: "connected", closeCode: null, userId: null },
    ]);
    expect(seen.resets).toEqual([]);
    expect(chromium.errors).toEqual([]);
  });

  it("survives the hub restarting on the same port: every event arrives once, in order", async () => {
    const { chromium } = await browser();
    const shared = new SharedBroker();
    onCleanup(() => shared.close());
    const hub = await hubServer(ANONYMOUS, shared);
    const app = await appServer();
    const { page, probe, events } = await openProbe(app, hub, "feed:restart");
    await hub.hub.publish("feed:restart", "step", 1);
    await hub.publish("feed:restart", "step", 2);
    await events(2);

    await hub.stop();
    await page.waitForFunction(() => window.probe?.states.at(-1)?.status === "reconnecting");
    // While no hub runs, another node publishes through the broker: history only.
    for (const n of [3, 4]) {
      await shared.broker.publish({
        channel: "feed:restart",
        event: "step",
        data: n,
        history: HISTORY,
      });
    }
    await hub.restart();
    await hub.publish("feed:restart", "step", 5);
    await events(5);

    const seen = await probe();
    expect(seen.events.map((e) => [e.offset, e.data])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(seen.resets).toEqual([]);
    expect(seen.states).toContainEqual(
      expect.objectContaining({ status: "reconnecting", reason: "server_shutting_down" }),
    );
    expect(seen.states.at(-1)).toMatchObject({ status: "connected" });
    expect(chromium.errors).toEqual([]);
  });

  it("fetches a fresh token after the hub closes the link with token_expired", async () => {
    const { chromium } = await browser();
    let issued = 0;
    const token = async () => {
      issued += 1;
      // Expires within two seconds (JWT expiry has a resolution of one second).
      return new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("alice")
        .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
        .sign(new TextEncoder().encode(SECRET));
    };
    const hub = await hubServer({
      auth: { secret: SECRET },
      defaultNamespace: { subscribe: "authenticated", history: HISTORY },
    });
    const app = await appServer(token);
    const { page, probe, events } = await openProbe(app, hub, "feed:alice", "&tokens");
    await hub.publish("feed:alice", "step", 1);
    await events(1);

    await page.waitForFunction(() => {
      const states = window.probe?.states ?? [];
      return (
        states.some((s) => s.reason === "token_expired") && states.at(-1)?.status === "connected"
      );
    });
    await hub.publish("feed:alice", "step", 2);
    await events(2);

    const seen = await probe();
    expect(seen.events.map((e) => [e.offset, e.data])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const expired = seen.states.find((s) => s.reason === "token_expired");
    expect(expired).toMatchObject({ status: "reconnecting", closeCode: 4203 });
    expect(seen.states.at(-1)).toMatchObject({ status: "connected", userId: "alice" });
    expect(seen.tokens).toBeGreaterThanOrEqual(2);
    expect(issued).toBe(seen.tokens);
    expect(seen.resets).toEqual([]);
    expect(chromium.errors).toEqual([]);
  });
});
