import { SwitchyardError } from "@switchyard/protocol";
import type { Hub, Logger } from "@switchyard/server";
import { createHttpApi, requireApiKey } from "@switchyard/server";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { routePath } from "hono/route";
import type { ClusterNode } from "./cluster.js";
import type { InspectorLink } from "./config.js";
import { createInspectorRoutes } from "./inspector.js";
import type { Metrics } from "./metrics.js";

/** What the standalone server's HTTP side is built from. */
export interface ServerAppOptions {
  hub: Hub;
  apiKey: string;
  metrics: Metrics;
  logger: Logger;
  /** Largest HTTP API request body in bytes. */
  maxBodyBytes: number;
  /**
   * `/stats` and `/metrics` need the API key, like the HTTP API.
   * @default false
   */
  requireApiKeyForStats?: boolean;
  /** True once shutdown has begun: `/readyz` answers 503 from then on. */
  isClosing: () => boolean;
  /**
   * The built inspector and browser SDK (see `inspector/build.mjs`).
   * @default INSPECTOR_DIR (`dist/inspector` of this package)
   */
  inspectorDir?: string;
  /**
   * The links of the inspector's header, to the applications beside the hub, served at
   * `/inspector/links.json`.
   * @default []
   */
  links?: readonly InspectorLink[];
  /**
   * Cluster mode: `/stats` adds every node's figures and `POST /api/disconnect` reaches every
   * node.
   * @default none (a single node)
   */
  cluster?: ClusterNode;
}

/**
 * The Hono app of `switchyard serve`: the HTTP API under `/api`, the probes `/healthz` and
 * `/readyz`, `/stats` (JSON), `/metrics` (Prometheus), the web inspector at `/` (with its
 * header's links at `/inspector/links.json`) and the browser SDK at `/sdk/switchyard-client.js`.
 */
export function createServerApp(options: ServerAppOptions): Hono {
  const { hub, metrics } = options;
  const api = createHttpApi(hub, {
    apiKey: options.apiKey,
    maxBodyBytes: options.maxBodyBytes,
    logger: options.logger,
    ...(options.cluster ? { disconnect: options.cluster.disconnect } : {}),
  });
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    // The route pattern, not the raw path, keeps the label set small.
    const route = c.res.status === 404 ? "unmatched" : routePath(c, -1);
    metrics.observeRequest(route, c.req.method, c.res.status);
  });

  // The inspector of one hub reads and drives another: `/stats` and the API answer any origin.
  // The API takes a bearer key, never a cookie, so a page must know the key to use it; `/stats`
  // is public to whoever reaches the port anyway.
  const crossOrigin = cors({ allowHeaders: ["authorization", "content-type"], maxAge: 600 });
  app.use("/stats", crossOrigin);
  app.use("/api/*", crossOrigin);

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const ready = !options.isClosing() && hub.ready();
    return c.json({ status: ready ? "ready" : "not_ready" }, ready ? 200 : 503);
  });
  if (options.requireApiKeyForStats === true) {
    const apiKey = requireApiKey(options.apiKey);
    app.use("/stats", apiKey);
    app.use("/metrics", apiKey);
  }
  app.get("/stats", async (c) =>
    c.json(options.cluster ? await options.cluster.stats() : hub.stats()),
  );
  app.get("/metrics", async (c) => {
    const text = await metrics.render();
    return c.body(text, 200, { "content-type": metrics.contentType });
  });
  app.route("/", createInspectorRoutes(options.inspectorDir, options.links));

  app.route("/", api);
  // A mounted app's notFound and onError do not cover the outer routes: same JSON here.
  app.notFound((c) => {
    const error = new SwitchyardError("not_found", `No route for ${c.req.method} ${c.req.path}`);
    return c.json({ error: error.toPayload() }, 404);
  });
  app.onError((err, c) => {
    options.logger.error({ err, method: c.req.method, path: c.req.path }, "request failed");
    return c.json({ error: new SwitchyardError("internal_error").toPayload() }, 500);
  });
  return app;
}
