/**
 * The web apps server without a browser: an app's hub answers at `/<app>/ws` and its routes
 * (here the hub's real HTTP API) under `/<app>/`, the factory learns the app's URL, a restart
 * on the same port brings new hubs, and no path reaches outside `dist/`.
 */
import { createHttpApi, createHub } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { subscriber } from "../../../packages/cli/test/helpers.js";
import type { AppContext, AppHubFactory } from "../app-hub.js";
import { startTestApps } from "./support.js";

const API_KEY = "web-apps-test-key-0123456789";

function demoApp(contexts: AppContext[]): AppHubFactory {
  return async (context) => {
    contexts.push(context);
    const hub = createHub({ allowAnonymous: true, defaultNamespace: { subscribe: "anyone" } });
    await hub.whenStarted();
    return {
      hub,
      routes: createHttpApi(hub, { apiKey: API_KEY }),
      close: () => hub.close({ timeout: 200 }),
    };
  };
}

describe("the web apps server", () => {
  it("mounts an app's hub and routes under its path, and restarts on the same port", async () => {
    const contexts: AppContext[] = [];
    const apps = await startTestApps({ hubs: { demo: demoApp(contexts) } });
    try {
      expect(contexts).toEqual([{ url: apps.appUrl("demo") }]);
      const hubUrl = `${apps.appUrl("demo").replace(/^http/, "ws")}ws`;
      const publish = () =>
        fetch(new URL("api/publish", apps.appUrl("demo")), {
          method: "POST",
          headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ channel: "news", event: "hello", data: { n: 1 } }),
        });
      const news = await subscriber(hubUrl, "news");
      expect((await publish()).status).toBe(200);
      expect(await news.next((frame) => frame.type === "event")).toMatchObject({
        channel: "news",
        data: { n: 1 },
      });
      // Without the key the API refuses, as any hub's.
      const refused = await fetch(new URL("api/publish", apps.appUrl("demo")), { method: "POST" });
      expect(refused.status).toBe(401);

      await apps.restart();
      expect(contexts).toHaveLength(2);
      const again = await subscriber(hubUrl, "news");
      expect((await publish()).status).toBe(200);
      expect(await again.next((frame) => frame.type === "event")).toMatchObject({ data: { n: 1 } });
    } finally {
      await apps.stop();
    }
  });

  it("serves nothing outside dist, and redirects an app's path to its page", async () => {
    const apps = await startTestApps({ hubs: { demo: demoApp([]) } });
    try {
      for (const path of ["/../package.json", "/%2e%2e/package.json", "/missing.js"]) {
        const response = await fetch(new URL(path, apps.url), { redirect: "manual" });
        expect(response.status, path).toBe(404);
      }
      expect((await fetch(new URL("/nowhere/ws", apps.url))).status).toBe(404);
      const redirect = await fetch(new URL("/acoustic-map", apps.url), { redirect: "manual" });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get("location")).toBe("/acoustic-map/");
      expect((await fetch(new URL("/", apps.url))).status).toBe(200);
    } finally {
      await apps.stop();
    }
  });
});
