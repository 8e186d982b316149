/**
 * `/stats` and the HTTP API answer pages of other origins (the inspector served by one hub
 * showing another); the rest of the standalone server does not.
 */
import { createHub } from "@switchyard/server";
import { expect, it } from "vitest";
import { createServerApp } from "../src/app.js";
import { createLogger } from "../src/logger.js";
import { createMetrics } from "../src/metrics.js";
import { onCleanup } from "./helpers.js";

const API_KEY = "cross-origin-key";
const ORIGIN = { origin: "http://127.0.0.1:7070" };

function app() {
  const hub = createHub({ allowAnonymous: true });
  onCleanup(() => hub.close({ timeout: 0 }));
  return createServerApp({
    hub,
    apiKey: API_KEY,
    metrics: createMetrics(hub),
    logger: createLogger("silent"),
    maxBodyBytes: 1024,
    isClosing: () => false,
  });
}

const allowedOrigin = (response: Response) => response.headers.get("access-control-allow-origin");

it("lets a page of any origin read /stats and call the API with its key", async () => {
  const server = app();
  const stats = await server.request("/stats", { headers: ORIGIN });
  expect(stats.status).toBe(200);
  expect(allowedOrigin(stats)).toBe("*");

  // A request with the key is preflighted: the preflight allows the key's header.
  const preflight = await server.request("/api/publish", {
    method: "OPTIONS",
    headers: {
      ...ORIGIN,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type",
    },
  });
  expect(preflight.status).toBe(204);
  expect(allowedOrigin(preflight)).toBe("*");
  expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
  expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  // No cookie is ever honoured.
  expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();

  const channels = await server.request("/api/channels", {
    headers: { ...ORIGIN, authorization: `Bearer ${API_KEY}` },
  });
  expect(channels.status).toBe(200);
  expect(allowedOrigin(channels)).toBe("*");
  // A refused key is readable too, so the page can say so.
  const refused = await server.request("/api/channels", {
    headers: { ...ORIGIN, authorization: "Bearer wrong" },
  });
  expect(refused.status).toBe(401);
  expect(allowedOrigin(refused)).toBe("*");
});

it("keeps the other routes to their own origin", async () => {
  const server = app();
  for (const path of ["/metrics", "/readyz", "/", "/inspector/links.json"]) {
    const response = await server.request(path, { headers: ORIGIN });
    expect(allowedOrigin(response), path).toBeNull();
  }
});
