import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type InspectorLink, resolveConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type ServerHandle, startServer } from "../../src/serve.js";
import { onCleanup, subscriber } from "../helpers.js";
import { useBrowser } from "./chromium.js";

const API_KEY = "inspector-test-key";

const browser = useBrowser();

/** A config file's synced-state documents: `settings`, with two typed keys and a default. */
const STATE_FILE = {
  state: {
    documents: {
      settings: {
        keys: { "physics.damping": { type: "number", minimum: 0, maximum: 1 }, theme: "string" },
        defaults: { "physics.damping": 0.5 },
      },
    },
  },
  presence: { namespaces: { room: true } },
} as const;

/** `switchyard serve --allow-anonymous` on a free port, with the given `--link`s. */
async function startHub(apiKey = API_KEY, links?: InspectorLink[]): Promise<ServerHandle> {
  const config = resolveConfig({
    file: STATE_FILE,
    flags: { port: 0, apiKey, allowAnonymous: true, shutdownTimeout: 500, links },
  });
  const { inspectorDir } = await browser();
  const server = await startServer(config, { logger: createLogger("silent"), inspectorDir });
  onCleanup(() => server.close());
  return server;
}

/** A hub, and the inspector it serves open in a page. */
async function openInspector(links?: InspectorLink[]) {
  const server = await startHub(API_KEY, links);
  const { chromium } = await browser();
  const page = await chromium.newPage();
  onCleanup(() => page.close());
  await page.goto(`${server.url}/`);
  return { server, page, chromium };
}

/** A page of its own on a free port, standing for the applications beside the hub. */
async function startLauncher(): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>Example apps</title><h1>The example apps</h1>");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function publishOverHttp(server: ServerHandle, body: object): Promise<void> {
  const response = await fetch(`${server.url}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** The log line of an event, once it is there. */
function logEntry(page: Page, channel: string, event: string) {
  return page.locator(
    `#log li[data-kind="event"][data-channel="${channel}"][data-event="${event}"]`,
  );
}

describe("the inspector in Chromium", () => {
  it("subscribes from the console and shows an event published over HTTP, with live figures and channels", async () => {
    const { server, page, chromium } = await openInspector();
    expect(await page.inputValue("#connect-url")).toBe(server.wsUrl);

    await page.fill("#subscribe-channel", "news");
    await page.click("#subscribe-form button");
    await page.waitForSelector('#subscriptions li[data-channel="news"][data-status="subscribed"]');
    expect(await page.textContent("#connection-status")).toBe("connected");
    expect(await page.textContent("#connection-info")).toContain("anonymous");

    await publishOverHttp(server, { channel: "news", event: "hello", data: { text: "hi" } });
    const entry = logEntry(page, "news", "hello");
    await entry.waitFor();
    expect(await entry.getAttribute("data-offset")).toBe("1");
    expect(await entry.locator(".data").textContent()).toBe('{"text":"hi"}');

    // Figures come from the public /stats; channels need the API key, remembered on reload.
    await page.locator("#stat-connections", { hasText: /^1$/ }).waitFor();
    await page.fill("#api-key", API_KEY);
    await page.press("#api-key", "Enter");
    const row = page.locator('#channels-body tr[data-channel="news"]');
    await row.locator("td.num", { hasText: /^1$/ }).waitFor();
    await page.reload();
    expect(await page.inputValue("#api-key")).toBe(API_KEY);

    expect(chromium.errors).toEqual([]);
  });

  it("speaks MessagePack, publishes as the server when anonymous, calls RPCs and shows why the link dropped", async () => {
    const { server, page, chromium } = await openInspector();
    await page.fill("#api-key", API_KEY);
    await page.press("#api-key", "Enter");
    await page.selectOption("#connect-codec", "msgpack");
    await page.click("#connect-button");
    await page.waitForSelector('#connection-status[data-status="connected"]');
    expect(await page.textContent("#connection-info")).toContain("msgpack");
    await page.fill("#subscribe-channel", "lab:1");
    await page.click("#subscribe-form button");
    await page.waitForSelector('#subscriptions li[data-channel="lab:1"][data-status="subscribed"]');

    // Anonymous clients may not publish on the default namespace: the console offers the API.
    expect(await page.inputValue("#publish-via")).toBe("http");
    await page.fill("#publish-channel", "lab:1");
    await page.fill("#publish-event", "reading");
    await page.fill("#publish-data", '{"celsius": 21.5}');
    await page.click("#publish-form button[type=submit]");
    const reading = logEntry(page, "lab:1", "reading");
    await reading.waitFor();
    expect(await reading.locator(".data").textContent()).toBe('{"celsius":21.5}');
    await page.locator('#log li[data-kind="ok"][data-event="publish (HTTP)"]').waitFor();

    // As the client itself, the hub refuses, and the log says why.
    await page.selectOption("#publish-via", "client");
    await page.click("#publish-form button[type=submit]");
    await page
      .locator('#log li[data-kind="error"][data-event="publish"]', { hasText: "forbidden" })
      .waitFor();

    // Binary data reaches the page through the MessagePack codec.
    await server.hub.publish("lab:1", "frame", new Uint8Array([1, 2, 3]));
    await logEntry(page, "lab:1", "frame").locator(".data", { hasText: "<3 bytes>" }).waitFor();

    await page.fill("#rpc-method", "job.list");
    await page.click("#rpc-form button[type=submit]");
    await page
      .locator('#log li[data-kind="ok"][data-event="rpc job.list"]', {
        hasText: '{"jobs":[]}',
      })
      .waitFor();

    await server.close();
    await page
      .locator('#log li[data-kind="status"]', { hasText: "server_shutting_down" })
      .waitFor();
    await page.locator('#node-state[data-state="down"]').waitFor();
    expect(chromium.errors).toEqual([]);
  });

  it("shows the figures and channels of the hub it is pointed at, not those of the hub that served it", async () => {
    const { server: hubA, page, chromium } = await openInspector();
    const hubB = await startHub("key-of-b");
    // Hub A has one client on `only-on-a`; hub B three on `only-on-b`.
    await subscriber(hubA.wsUrl, "only-on-a");
    for (let i = 0; i < 3; i++) await subscriber(hubB.wsUrl, "only-on-b");
    const hostB = new URL(hubB.url).host;

    await page.locator("#stat-connections", { hasText: /^1$/ }).waitFor();
    await page.fill("#api-key", API_KEY);
    await page.press("#api-key", "Enter");
    await page.locator('#channels-body tr[data-channel="only-on-a"]').waitFor();

    // Pointed at B: B's figures (its three clients and the inspector's own), none of A's
    // channels, and B's key asked for.
    await page.fill("#connect-url", hubB.wsUrl);
    await page.click("#connect-button");
    await page.waitForSelector('#connection-status[data-status="connected"]');
    await page.locator("#stat-connections", { hasText: /^4$/ }).waitFor();
    await page.locator("#node-state", { hasText: hostB }).waitFor();
    expect(await page.inputValue("#api-key")).toBe("");
    expect(await page.locator("#channels-body tr").count()).toBe(0);
    expect(await page.textContent("#channels-note")).toContain(hostB);
    await page.fill("#api-key", "key-of-b");
    await page.press("#api-key", "Enter");
    const rowB = page.locator('#channels-body tr[data-channel="only-on-b"]');
    await rowB.locator("td.num", { hasText: /^3$/ }).waitFor();
    expect(await page.locator('#channels-body tr[data-channel="only-on-a"]').count()).toBe(0);
    expect(await page.getAttribute("nav a[data-path=stats]", "href")).toBe(`${hubB.url}/stats`);

    // Publishing as the server goes to B too, with B's key: B's subscriber gets it.
    await page.fill("#subscribe-channel", "lab:b");
    await page.click("#subscribe-form button");
    await page.waitForSelector('#subscriptions li[data-channel="lab:b"][data-status="subscribed"]');
    await page.selectOption("#publish-via", "http");
    await page.fill("#publish-channel", "lab:b");
    await page.fill("#publish-event", "reading");
    await page.click("#publish-form button[type=submit]");
    await logEntry(page, "lab:b", "reading").waitFor();

    // Back to A: A's figures, and A's key remembered for A.
    await page.click("#connect-button");
    await page.waitForSelector('#connection-status[data-status="disconnected"]');
    await page.fill("#connect-url", hubA.wsUrl);
    await page.click("#connect-button");
    await page.waitForSelector('#connection-status[data-status="connected"]');
    await page.locator("#stat-connections", { hasText: /^2$/ }).waitFor();
    expect(await page.inputValue("#api-key")).toBe(API_KEY);
    await page.locator('#channels-body tr[data-channel="only-on-a"]').waitFor();
    expect(chromium.errors).toEqual([]);
  });

  it("shows a synced-state document with each key's version and writer, and follows its changes", async () => {
    const { server, page, chromium } = await openInspector();
    const patch = async (body: object) => {
      const response = await fetch(`${server.url}/api/state/settings`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    };
    await patch({ set: { theme: "dark" }, by: "ops" });

    await page.fill("#api-key", API_KEY);
    await page.press("#api-key", "Enter");
    await page.fill("#state-name", "settings");
    await page.click("#state-form button");
    const theme = page.locator('#state-body tr[data-key="theme"]');
    await theme.waitFor();
    expect(await theme.locator("td").allTextContents()).toEqual(
      expect.arrayContaining(["theme", '"dark"', "1", "ops"]),
    );
    // A key never written shows its default.
    const damping = page.locator('#state-body tr[data-key="physics.damping"]');
    expect(await damping.locator("td").allTextContents()).toEqual(
      expect.arrayContaining(["physics.damping", "0.5", "0", "default"]),
    );

    // A write by another party appears without a reload.
    await patch({ set: { "physics.damping": 0.25 }, by: "lab" });
    await damping.locator("td.value", { hasText: /^0\.25$/ }).waitFor();
    expect(await page.textContent("#state-version")).toBe("version 2");

    // An undeclared document says so.
    await page.fill("#state-name", "nope");
    await page.click("#state-form button");
    await page.locator("#state-note", { hasText: "state_not_found" }).waitFor();
    expect(await page.locator("#state-body tr").count()).toBe(0);
    expect(chromium.errors).toEqual([]);
  });

  it("shows who is present on a channel, grouped by user, and follows joins and leaves", async () => {
    const { server, page, chromium } = await openInspector();
    const ada = await subscriber(server.wsUrl, "room:1");
    await subscriber(server.wsUrl, "room:1");

    await page.fill("#api-key", API_KEY);
    await page.press("#api-key", "Enter");
    // Clicking the channel in the channels table opens its members (and subscribes the
    // console to it: the inspector's own connection is the third member).
    await page.locator('#channels-body tr[data-channel="room:1"] button').click();
    await page.locator("#members-count", { hasText: "3 member(s), 3 connection(s)" }).waitFor();
    expect(await page.inputValue("#members-channel")).toBe("room:1");
    expect(await page.locator("#members-body tr").count()).toBe(3);
    expect(await page.locator("#members-body td").first().textContent()).toBe("anonymous");

    // One leaves (a clean close): the panel follows.
    ada.ws.close(1000);
    await page.locator("#members-count", { hasText: "2 member(s), 2 connection(s)" }).waitFor();
    expect(await page.locator("#members-body tr").count()).toBe(2);

    // A channel without presence says so.
    await page.fill("#members-channel", "news");
    await page.click("#members-form button");
    await page.locator("#members-note", { hasText: "presence_disabled" }).waitFor();
    expect(chromium.errors).toEqual([]);
  });

  it("links its header to the applications beside the hub, opening them in a new tab", async () => {
    const launcher = await startLauncher();
    const { page, chromium } = await openInspector([
      { label: "Example apps", url: launcher },
      { label: "Docs", url: "https://docs.example/switchyard" },
    ]);
    const nav = page.locator("header.bar #app-links");
    await nav.locator("a").first().waitFor({ state: "visible" });
    expect(await nav.locator("a").allTextContents()).toEqual(["Example apps", "Docs"]);
    const apps = nav.getByRole("link", { name: "Example apps" });
    expect(await apps.getAttribute("href")).toBe(launcher);
    expect(await apps.getAttribute("target")).toBe("_blank");
    expect(await apps.getAttribute("rel")).toBe("noopener");
    // On screen, inside the header's bar, not clipped or covered.
    const bar = await page.locator("header.bar").boundingBox();
    const box = await apps.boundingBox();
    expect(box && bar && box.y >= bar.y && box.y + box.height <= bar.y + bar.height).toBe(true);

    // A click opens the launcher in a new tab that cannot reach back into the inspector.
    const [tab] = await Promise.all([page.context().waitForEvent("page"), apps.click()]);
    onCleanup(() => tab.close());
    await tab.waitForLoadState();
    expect(tab.url()).toBe(launcher);
    expect(await tab.textContent("h1")).toBe("The example apps");
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    expect(page.url()).not.toBe(launcher);

    // They are the neighbours of the hub that served the page: pointing the console at
    // another hub keeps them.
    const other = await startHub("key-of-other");
    await page.fill("#connect-url", other.wsUrl);
    await page.click("#connect-button");
    await page.waitForSelector('#connection-status[data-status="connected"]');
    await page.locator("#node-state", { hasText: new URL(other.url).host }).waitFor();
    expect(await nav.locator("a").allTextContents()).toEqual(["Example apps", "Docs"]);
    expect(chromium.errors).toEqual([]);
  });

  it("shows no links, nor their separator, when the hub has none", async () => {
    const { page, chromium } = await openInspector();
    const nav = page.locator("#app-links");
    await page.locator('#app-links[data-state="none"]').waitFor({ state: "attached" });
    expect(await nav.isVisible()).toBe(false);
    expect(await nav.locator("a").count()).toBe(0);
    expect(chromium.errors).toEqual([]);
  });
});
