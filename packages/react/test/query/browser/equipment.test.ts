/**
 * `@switchyard/react/query` in real Chromium, two browser contexts (two users): one changes
 * equipment through the app's HTTP API, whose handler publishes "equipment_changed" on the
 * hub; the other's screen, kept by `useLiveInvalidation`, refetches and shows the change.
 */
import type { IncomingMessage } from "node:http";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../../../../cli/test/browser/app-server.js";
import { HubServer, useIntegration } from "../../../../client/test/hub-fixture.js";
import { type Chromium, launchChromium } from "../../browser/browser.js";

// biome-ignore lint/correctness/useHookAtTopLevel: a Vitest fixture (cleanups after each test), not a React hook.
const integration = useIntegration();

const BURST = 1000;

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Equipment</title></head>
<body><div id="root"></div><script type="module" src="/app.js"></script></body></html>`;

let browser: Chromium | undefined;
let bundle = "";

beforeAll(async () => {
  const [launched, built] = await Promise.all([
    launchChromium(),
    build({
      entryPoints: [new URL("./equipment-app.tsx", import.meta.url).pathname],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      jsx: "automatic",
      conditions: ["@switchyard/source"],
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    }),
  ]);
  browser = launched;
  bundle = built.outputFiles[0]?.text ?? "";
});

afterAll(async () => {
  await browser?.close();
});

/** The equipment the app's API serves, and how often each screen fetched each path. */
class Backend {
  readonly items = new Map([
    [1, { id: 1, name: "Microscope", status: "available" }],
    [2, { id: 2, name: "Centrifuge", status: "available" }],
    [3, { id: 3, name: "Sequencer", status: "available" }],
  ]);
  readonly fetches = new Map<string, number>();

  constructor(readonly hub: HubServer) {}

  count(request: IncomingMessage, path: string): void {
    const who = new URL(request.url ?? "/", "http://app").searchParams.get("who");
    const key = `${who} ${path}`;
    this.fetches.set(key, (this.fetches.get(key) ?? 0) + 1);
  }

  /** Fetches of the list and of item 1 by screen `who`. */
  fetchesBy(who: string): { list: number; detail: number } {
    return {
      list: this.fetches.get(`${who} /api/equipment`) ?? 0,
      detail: this.fetches.get(`${who} /api/equipment/1`) ?? 0,
    };
  }

  /** Changes item `id` and publishes the event, as the app's mutation handler would. */
  change(id: number, status: string): Promise<unknown> {
    const item = this.items.get(id);
    if (item) item.status = status;
    return this.hub.hub.publish("equipment", "equipment_changed", { id });
  }
}

const json = (value: unknown) => ({ type: "application/json", body: JSON.stringify(value) });

async function start(): Promise<{ app: AppServer; backend: Backend; hub: HubServer }> {
  const hub = await HubServer.start({
    allowAnonymous: true,
    defaultNamespace: { subscribe: "anyone", history: { size: 2000, ttl: 120_000 } },
  });
  integration.disposers.push(() => hub.stop());
  const backend = new Backend(hub);
  const app = await startAppServer({
    "/": () => ({ type: "text/html; charset=utf-8", body: HTML }),
    "/app.js": () => ({ type: "text/javascript", body: bundle }),
    "/api/equipment": (request) => {
      backend.count(request, "/api/equipment");
      return json([...backend.items.values()]);
    },
    "/api/equipment/1": (request) => {
      backend.count(request, "/api/equipment/1");
      return json(backend.items.get(1));
    },
    "/api/equipment/1/book": async (request) => {
      const who = new URL(request.url ?? "/", "http://app").searchParams.get("who");
      await backend.change(1, `booked by ${who}`);
      return json({ ok: true });
    },
    "/api/equipment/burst": async () => {
      const published: Promise<unknown>[] = [];
      for (let n = 1; n <= BURST; n++) published.push(backend.change((n % 3) + 1, `revision ${n}`));
      await Promise.all(published);
      return json({ ok: true });
    },
  });
  integration.disposers.push(() => app.close());
  return { app, backend, hub };
}

/** Opens the app as user `who` in a browser context of its own. */
async function open(app: AppServer, hub: HubServer, who: string): Promise<Page> {
  if (!browser) throw new Error("Chromium did not start");
  const page = await browser.newPage();
  integration.disposers.push(() => page.context().close());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  integration.disposers.push(() => expect(errors).toEqual([]));
  await page.goto(`${app.url}/?${new URLSearchParams({ hub: hub.url, who })}`);
  return page;
}

const listItem = (page: Page, text: string) =>
  page.getByRole("list", { name: "equipment" }).getByText(text, { exact: true });

describe("@switchyard/react/query in Chromium", () => {
  it("a change by one user updates the other user's list and detail", async () => {
    const { app, backend, hub } = await start();
    const alice = await open(app, hub, "alice");
    const bob = await open(app, hub, "bob");
    for (const page of [alice, bob]) {
      await listItem(page, "Microscope: available").waitFor();
      await page.getByText("Detail Microscope is available").waitFor();
    }
    // Each query is fetched at mount and once more when the channel is live.
    await expect.poll(() => backend.fetchesBy("bob")).toEqual({ list: 2, detail: 2 });

    await alice.getByRole("button", { name: "Book the microscope" }).click();
    await listItem(bob, "Microscope: booked by alice").waitFor();
    await bob.getByText("Detail Microscope is booked by alice").waitFor();
    expect(backend.fetchesBy("bob")).toEqual({ list: 3, detail: 3 });
    await listItem(alice, "Microscope: booked by alice").waitFor();
  });

  it("1,000 changes refetch the other screen a few times, not 1,000, and it ends current", async () => {
    const { app, backend, hub } = await start();
    const alice = await open(app, hub, "alice");
    const bob = await open(app, hub, "bob");
    await listItem(bob, "Microscope: available").waitFor();
    await listItem(alice, "Microscope: available").waitFor();
    await expect.poll(() => backend.fetchesBy("bob")).toEqual({ list: 2, detail: 2 });
    const before = backend.fetchesBy("bob");

    await alice.getByRole("button", { name: "Change everything 1,000 times" }).click();
    for (const text of [
      "Microscope: revision 999",
      "Centrifuge: revision 1000",
      "Sequencer: revision 998",
    ]) {
      await listItem(bob, text).waitFor();
    }
    await bob.getByText("Detail Microscope is revision 999").waitFor();
    const after = backend.fetchesBy("bob");
    const refetches = { list: after.list - before.list, detail: after.detail - before.detail };
    console.log(`${BURST} events: the other screen refetched`, refetches);
    expect(refetches.list).toBeGreaterThanOrEqual(1);
    expect(refetches.list).toBeLessThanOrEqual(20);
    expect(refetches.detail).toBeLessThanOrEqual(20);
  });

  it("after the hub lost its history, the other screen reloads what changed meanwhile", async () => {
    const { app, backend, hub } = await start();
    const bob = await open(app, hub, "bob");
    await listItem(bob, "Sequencer: available").waitFor();
    await expect.poll(() => backend.fetchesBy("bob")).toEqual({ list: 2, detail: 2 });

    // The hub goes down with its history; the change made meanwhile publishes nothing.
    await hub.stop();
    const sequencer = backend.items.get(3);
    if (sequencer) sequencer.status = "under repair";
    const microscope = backend.items.get(1);
    if (microscope) microscope.status = "booked by carol";
    await hub.start();

    await listItem(bob, "Sequencer: under repair").waitFor();
    await bob.getByText("Detail Microscope is booked by carol").waitFor();
  });
});
