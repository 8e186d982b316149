import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createHub, type Hub, type HubOptions } from "@switchyard/server";
import type { Logger } from "pino";
import { createServerApp } from "./app.js";
import { createClusterBroker, joinCluster } from "./cluster.js";
import type { ServerConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";

/** A running standalone server. */
export interface ServerHandle {
  /** Base URL of the HTTP side (`http://127.0.0.1:7070`). */
  readonly url: string;
  /** WebSocket endpoint (`ws://127.0.0.1:7070/ws`). */
  readonly wsUrl: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** The HTTP API key (generated when the config had none). */
  readonly apiKey: string;
  readonly hub: Hub;
  readonly server: Server;
  /** This node's id in its cluster (`--redis`); absent for a single node. */
  readonly nodeId?: string;
  /**
   * Drains, then stops: closes every client with `server_shutting_down` (reconnect now) and
   * waits up to `shutdownTimeout` for them to go while it keeps listening (`/readyz` answers
   * 503, `/healthz` 200, new upgrades 503 `server_shutting_down`, the HTTP API still serves),
   * then closes the listener and the HTTP server. Idempotent.
   */
  close(): Promise<void>;
}

/** Options of {@link startServer} that are not configuration. */
export interface StartServerOptions {
  /** The pino logger; one writing JSON lines to stdout at `config.logLevel` when absent. */
  logger?: Logger;
  /**
   * The built inspector and browser SDK to serve.
   * @default INSPECTOR_DIR (`dist/inspector` of this package)
   */
  inspectorDir?: string;
}

/** WebSocket path of the hub on the standalone server. */
export const WS_PATH = "/ws";

/** Milliseconds in-flight HTTP requests get once the hub has closed. */
const HTTP_DRAIN_MS = 1_000;

/** The options `startServer` creates the hub with: the hub's share of a resolved config. */
export function hubOptionsOf(config: ServerConfig, logger: Logger): HubOptions {
  const options: HubOptions = {
    path: WS_PATH,
    allowAnonymous: config.allowAnonymous,
    defaultNamespace: config.defaultNamespace,
    logger: logger.child({ component: "hub" }),
    limits: config.limits,
  };
  if (config.auth !== undefined) options.auth = config.auth;
  if (config.allowedOrigins !== undefined) options.allowedOrigins = config.allowedOrigins;
  if (config.namespaces !== undefined) options.namespaces = config.namespaces;
  if (config.presence !== undefined) options.presence = config.presence;
  if (config.heartbeat !== undefined) options.heartbeat = config.heartbeat;
  if (config.transport !== undefined) options.transport = config.transport;
  if (config.state !== undefined) options.state = config.state;
  if (config.webhooks !== undefined) options.webhooks = config.webhooks;
  if (config.proxy !== undefined) options.proxy = config.proxy;
  return options;
}

/** The host as it goes into a URL: wildcard hosts become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the standalone server: one `http.Server` carrying the hub's WebSocket endpoint at
 * `/ws`, the HTTP API under `/api`, `/healthz`, `/readyz`, `/stats`, `/metrics`, the web
 * inspector at `/` and the browser SDK at `/sdk/switchyard-client.js`.
 *
 * @example
 * const server = await startServer(resolveConfig({ flags: { port: 0, allowAnonymous: true } }));
 * console.log(server.wsUrl, server.apiKey);
 * await server.close();
 */
export async function startServer(
  config: ServerConfig,
  options: StartServerOptions = {},
): Promise<ServerHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const hubOptions = hubOptionsOf(config, logger);
  const broker =
    config.redis === undefined
      ? undefined
      : createClusterBroker(config.redis, logger.child({ component: "redis" }));
  if (broker !== undefined) hubOptions.broker = broker;
  // Each event names the node that reported it: in a cluster, by its node id.
  if (broker !== undefined && hubOptions.webhooks !== undefined) {
    hubOptions.webhooks = { node: broker.nodeId, ...hubOptions.webhooks };
  }
  const hub = createHub(hubOptions);
  try {
    // A node never serves without its broker: with Redis unreachable for the whole start
    // timeout, the server does not start (its supervisor restarts it).
    await hub.whenStarted();
  } catch (error) {
    await hub.close({ timeout: 0 });
    await broker?.close();
    throw error;
  }
  const cluster =
    broker === undefined
      ? undefined
      : joinCluster(hub, broker, { logger: logger.child({ component: "cluster" }) });
  const metrics = createMetrics(hub);
  let closing = false;
  const app = createServerApp({
    hub,
    apiKey: config.apiKey,
    metrics,
    logger: logger.child({ component: "http" }),
    maxBodyBytes: config.maxBodyBytes,
    requireApiKeyForStats: config.requireApiKeyForStats,
    isClosing: () => closing,
    inspectorDir: options.inspectorDir,
    links: config.links,
    cluster,
  });
  const listener = getRequestListener(app.fetch);
  // Requests for /ws that ask for no upgrade never reach the upgrade event: the hub answers
  // them here, before the app's 404, as the protocol's refusal table says.
  const server = createServer((request, response) => {
    if (!hub.handleRequest(request, response, { path: WS_PATH })) void listener(request, response);
  });
  hub.attach(server, { path: WS_PATH });

  let address: AddressInfo;
  try {
    address = await listen(server, config.port, config.host);
  } catch (error) {
    await hub.close({ timeout: 0 });
    await cluster?.close();
    throw error;
  }
  const origin = `${urlHost(address.address)}:${address.port}`;
  const url = `http://${origin}`;
  const wsUrl = `ws://${origin}${WS_PATH}`;
  logger.info(
    {
      url,
      wsUrl,
      host: config.host,
      port: address.port,
      apiKeyGenerated: config.apiKeyGenerated,
      ...(cluster === undefined ? {} : { nodeId: cluster.nodeId }),
    },
    `switchyard listening on ${url}`,
  );

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      logger.info({ timeout: config.shutdownTimeout }, "shutting down");
      // The listener stays open while the hub drains: a load balancer's probe reads 503 on
      // /readyz (not a refused connection) and new upgrades get 503 server_shutting_down.
      await hub.close({ timeout: config.shutdownTimeout });
      // The hub leaves a broker passed in open: this node's Redis connections end here.
      await cluster?.close();
      // The callback fires once every HTTP connection has ended.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drain = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
      await serverClosed;
      clearTimeout(drain);
      logger.info("stopped");
    })();
    return closed;
  };

  const handle = { url, wsUrl, port: address.port, apiKey: config.apiKey, hub, server, close };
  return cluster === undefined ? handle : { ...handle, nodeId: cluster.nodeId };
}
