import { isValidChannel, type PublishResult, SwitchyardError } from "@switchyard/protocol";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { CoreHub, DisconnectTarget, FeatureRoute } from "../core/hub-api.js";
import { type Logger, silentLogger } from "../core/options.js";
import { requireApiKey } from "./api-key.js";
import { httpErrorHandler, notFoundHandler } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import {
  parseDisconnectBody,
  parseHistoryQuery,
  parseJson,
  parsePublishBody,
  parseSendBody,
  type SendRequest,
} from "./validate.js";

/** Options of {@link createHttpApi}. */
export interface HttpApiOptions {
  /** The key callers send as `Authorization: Bearer <apiKey>`. Required, non-empty. */
  apiKey: string;
  /**
   * Largest request body in bytes; larger ones get 413 `message_too_large`.
   * @default 1_048_576
   */
  maxBodyBytes?: number;
  /**
   * Where unexpected errors are logged (their messages never reach the caller).
   * @default silentLogger
   */
  logger?: Logger;
  /**
   * How `POST /api/disconnect` closes clients; resolves with how many were closed. A cluster
   * node passes one that reaches every node.
   * @default the hub's own `disconnect` (this node's clients only)
   */
  disconnect?: (target: DisconnectTarget) => Promise<number>;
}

/** Default of {@link HttpApiOptions.maxBodyBytes}: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

async function readJson(c: Context): Promise<unknown> {
  return parseJson(await c.req.text());
}

function send(hub: CoreHub, request: SendRequest): Promise<PublishResult> {
  const { to, event, data } = request;
  if (to === "everyone") return hub.broadcast(event, data);
  if ("clientId" in to) return hub.sendToClient(to.clientId, event, data);
  if ("sessionId" in to) return hub.sendToSession(to.sessionId, event, data);
  return hub.sendToUser(to.userId, event, data);
}

/**
 * The HTTP API of a hub as a Hono app: a Request → Response handler that backends in any
 * language use to publish, send to clients, read history and disconnect clients. Every route
 * under `/api` except `GET /api/openapi.json` needs `Authorization: Bearer <apiKey>`.
 *
 * Mount it in any server that speaks Fetch (`app.fetch`), in Node with `@hono/node-server`,
 * or inside another Hono app with `app.route("/", api)`.
 *
 * @example
 * const hub = createHub({ allowAnonymous: true });
 * const api = createHttpApi(hub, { apiKey: process.env.SWITCHYARD_API_KEY! });
 * const response = await api.request("/api/publish", {
 *   method: "POST",
 *   headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
 *   body: JSON.stringify({ channel: "news", event: "headline", data: { title: "Hi" } }),
 * });
 */
export function createHttpApi(hub: CoreHub, options: HttpApiOptions): Hono {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();
  app.onError(httpErrorHandler(logger));
  app.notFound(notFoundHandler);

  app.get("/api/openapi.json", (c) => {
    // The document names the server it was fetched from, so a mounted prefix stays right.
    const url = new URL(c.req.url);
    const prefix = url.pathname.slice(0, -"/api/openapi.json".length);
    return c.json(
      openApiDocument({ serverUrl: `${url.origin}${prefix}`, features: hub.features() }),
    );
  });

  app.use("/api/*", requireApiKey(options.apiKey));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new SwitchyardError(
          "message_too_large",
          `The request body exceeds ${maxBodyBytes} bytes`,
          { maxBytes: maxBodyBytes },
        );
      },
    }),
  );

  app.post("/api/publish", async (c) => {
    const parsed = parsePublishBody(await readJson(c));
    if (!Array.isArray(parsed)) {
      const { channel, event, data, idempotencyKey } = parsed;
      const options = idempotencyKey === undefined ? undefined : { idempotencyKey };
      return c.json(await hub.publish(channel, event, data, options));
    }
    // One after the other, so events of one channel keep the order of the array.
    const results: PublishResult[] = [];
    for (const [index, item] of parsed.entries()) {
      const options =
        item.idempotencyKey === undefined ? undefined : { idempotencyKey: item.idempotencyKey };
      try {
        results.push(await hub.publish(item.channel, item.event, item.data, options));
      } catch (error) {
        if (!(error instanceof SwitchyardError)) throw error;
        // Tell the caller which item failed and what was published before it.
        throw new SwitchyardError(error.code, `[${index}]: ${error.message}`, {
          index,
          field: `[${index}]`,
          published: results,
          ...(error.details === undefined ? {} : { cause: error.details }),
        });
      }
    }
    return c.json({ results });
  });

  app.post("/api/send", async (c) => {
    const request = parseSendBody(await readJson(c));
    return c.json(await send(hub, request));
  });

  app.get("/api/channels", (c) => c.json({ channels: hub.channels() }));

  app.get("/api/channels/:channel/history", async (c) => {
    const channel = c.req.param("channel");
    if (!isValidChannel(channel)) {
      throw new SwitchyardError("invalid_channel", undefined, { field: "channel" });
    }
    const query = parseHistoryQuery({ after: c.req.query("after"), limit: c.req.query("limit") });
    const page = await hub.history(channel, query);
    return c.json({ epoch: page.epoch, offset: page.offset, events: page.events });
  });

  app.post("/api/disconnect", async (c) => {
    const target = parseDisconnectBody(await readJson(c));
    const disconnected = options.disconnect
      ? await options.disconnect(target)
      : hub.disconnect(target);
    return c.json({ disconnected });
  });

  for (const feature of hub.features()) {
    for (const route of feature.routes) mountFeatureRoute(app, route);
  }
  return app;
}

/** Mounts one route a feature added: its result answers as JSON, its errors as any route's. */
function mountFeatureRoute(app: Hono, route: FeatureRoute): void {
  app.on(route.method, route.path, async (c) =>
    c.json(
      await route.handle({
        params: c.req.param(),
        query: (name) => c.req.query(name),
        text: () => c.req.text(),
      }),
    ),
  );
}
