import { readFileSync } from "node:fs";
import type { ConsoleMessage, Page } from "playwright-core";
import { afterEach, expect, it } from "vitest";
import { resolveConfig } from "../../packages/cli/src/config.js";
import { createLogger } from "../../packages/cli/src/logger.js";
import { startServer } from "../../packages/cli/src/serve.js";
import { startAppServer } from "../../packages/cli/test/browser/app-server.js";
import { useBrowser } from "../../packages/cli/test/browser/chromium.js";

const EXAMPLE = readFileSync(new URL("./index.html", import.meta.url), "utf8");
const API_KEY = "browser-example-key";

const browser = useBrowser();
const disposers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

/** The values a page passed to `console.log`. */
const logged = (message: ConsoleMessage) =>
  Promise.all(message.args().map((arg) => arg.jsonValue() as Promise<unknown>));

/** Resolves with the first console message whose values equal `values`. */
function waitForLog(page: Page, values: unknown[]): Promise<ConsoleMessage> {
  const expected = JSON.stringify(values);
  return page.waitForEvent("console", async (message) => {
    return JSON.stringify(await logged(message)) === expected;
  });
}

it("the README shows this example verbatim", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(readme).toContain(EXAMPLE.trim());
});

it("runs in Chromium: loads the SDK from the hub, connects, and logs the news", async () => {
  const { chromium, inspectorDir } = await browser();
  const config = resolveConfig({ flags: { port: 0, apiKey: API_KEY, allowAnonymous: true } });
  const hub = await startServer(config, {
    logger: createLogger("silent"),
    inspectorDir,
  });
  disposers.push(() => hub.close());
  // The page as published, pointed at this test's hub instead of port 7070.
  const page = EXAMPLE.replaceAll("127.0.0.1:7070", `127.0.0.1:${hub.port}`);
  expect(page.split(`127.0.0.1:${hub.port}`)).toHaveLength(3);
  const app = await startAppServer({
    "/": () => ({ type: "text/html; charset=utf-8", body: page }),
  });
  disposers.push(() => app.close());

  const tab = await chromium.newPage();
  disposers.push(() => tab.close());
  const subscribed = new Promise<void>((resolve) => {
    const stop = hub.hub.on("subscribe", (info) => {
      if (info.channel !== "news") return;
      stop();
      resolve();
    });
  });
  const connected = waitForLog(tab, ["connection:", "connected", "connected"]);
  await tab.goto(`${app.url}/`);
  await Promise.all([connected, subscribed]);

  const headline = waitForLog(tab, ["news", 1, "hello", { n: 1 }]);
  // The README's curl command, from Node.
  const response = await fetch(`${hub.url}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "news", event: "hello", data: { n: 1 } }),
  });
  expect(response.status).toBe(200);
  await headline;
  expect(chromium.errors).toEqual([]);
});
