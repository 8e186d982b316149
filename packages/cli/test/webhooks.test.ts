/**
 * Webhooks in the standalone server: the `webhooks` config (file, environment), and a server
 * that sends its lifecycle events to a real receiver and counts them in /stats and /metrics.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, type WebhookEvent } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startServer } from "../src/serve.js";
import { onCleanup, subscriber } from "./helpers.js";

const SECRET = "whsec_cli_test";

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

/** A receiver that keeps the events of every request whose signature verifies. */
async function receiver() {
  const events: WebhookEvent[] = [];
  const waiters = new Set<() => void>();
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const ok = verifyWebhook(body, request.headers["switchyard-signature"] as string, SECRET);
    if (ok) events.push(...(JSON.parse(body) as { events: WebhookEvent[] }).events);
    response.statusCode = ok ? 200 : 401;
    response.end();
    for (const wake of [...waiters]) wake();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        if (!test()) return;
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      wake();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events, until };
}

describe("the webhooks config", () => {
  it("takes the file's webhooks, with the secret (and URL) from the environment", () => {
    const file = { webhooks: { url: "https://app.example/hooks", batch: { size: 10 } } };
    const env = { SWITCHYARD_WEBHOOK_SECRET: "new,old" };
    expect(resolveConfig({ file, env }).webhooks).toEqual({
      url: "https://app.example/hooks",
      batch: { size: 10 },
      secret: ["new", "old"],
    });
    const fromEnv = resolveConfig({
      env: { SWITCHYARD_WEBHOOK_URL: "http://10.0.0.2/h", SWITCHYARD_WEBHOOK_SECRET: "s" },
    });
    expect(fromEnv.webhooks).toEqual({ url: "http://10.0.0.2/h", secret: ["s"] });
    expect(resolveConfig({}).webhooks).toBeUndefined();
  });

  it("names a missing secret, a bad URL and an unknown event type", () => {
    expect(
      issuesOf(() => resolveConfig({ file: { webhooks: { url: "https://app.example/hooks" } } })),
    ).toEqual([
      { path: "webhooks.secret", message: expect.stringContaining("SWITCHYARD_WEBHOOK_SECRET") },
    ]);
    const issues = issuesOf(() =>
      resolveConfig({
        file: {
          webhooks: {
            url: "ftp://x",
            secret: "s",
            events: ["connected", "exploded" as "connected"],
          },
        },
      }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual(["webhooks.events.1", "webhooks.url"]);
  });
});

describe("a server with webhooks", () => {
  it("sends its clients' events, and counts them in /stats and /metrics", async () => {
    const backend = await receiver();
    const config = resolveConfig({
      flags: {
        port: 0,
        apiKey: "cli-webhooks-key",
        allowAnonymous: true,
        webhooks: { url: backend.url, batch: { window: 10 } },
      },
      env: { SWITCHYARD_WEBHOOK_SECRET: SECRET },
    });
    const handle = await startServer(config, { logger: createLogger("silent") });
    onCleanup(() => handle.close());
    const client = await subscriber(handle.wsUrl, "news");
    client.ws.close(1000);
    await backend.until(() => backend.events.some((event) => event.type === "disconnected"));
    expect(backend.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["connected", "subscribed", "unsubscribed", "disconnected"]),
    );
    await handle.hub.webhooks?.flush();
    const stats = (await (await fetch(`${handle.url}/stats`)).json()) as {
      features: Record<string, Record<string, number>>;
    };
    expect(stats.features.webhooks).toMatchObject({ dropped: 0, queued: 0 });
    const sent = stats.features.webhooks?.sent ?? 0;
    expect(sent).toBe(backend.events.length);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^switchyard_webhook_events_sent_total ${sent}$`, "m"));
    expect(metrics).toMatch(/^switchyard_webhook_events_dropped_total 0$/m);
  });
});
