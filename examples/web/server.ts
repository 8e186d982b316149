/**
 * The web apps server: the launcher and every app's built pages (`dist/`), and each app's hub
 * at `/<app>/ws`, on one origin. `npm start` runs it beside the standalone hub; the browser
 * tests and the screenshot script start it in-process.
 */
import { once } from "node:events";
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { AppHub, AppHubFactory } from "./app-hub.js";
import { APPS } from "./catalog.js";
import { APP_HUBS } from "./hubs.js";

/** Where `vite build` puts the pages. */
export const DIST_DIR = fileURLToPath(new URL("./dist/", import.meta.url));

/** Options of {@link startWebApps}. */
export interface WebAppsOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** The built pages. @default DIST_DIR */
  dist?: string;
  /** The hubs to mount, by app name. @default every app of the catalog */
  hubs?: Record<string, AppHubFactory>;
}

/** The running server. */
export interface WebApps {
  /** `http://host:port/`: the launcher. */
  readonly url: string;
  readonly port: number;
  /** Each app's hub, by name. */
  readonly hubs: ReadonlyMap<string, AppHub>;
  /** The page of an app: `http://host:port/<name>/`. */
  appUrl(name: string): string;
  /** Stops every hub (its clients see the connection drop) and the server. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Not built</title>
<p style="font: 15px system-ui; margin: 2rem">The example apps are not built: run
<code>npm run build -w examples/web</code> (<code>npm install</code> does it).</p>`;

/** Starts the server and every hub; resolves once it listens. */
export async function startWebApps(options: WebAppsOptions = {}): Promise<WebApps> {
  const dist = options.dist ?? DIST_DIR;
  const factories = options.hubs ?? APP_HUBS;
  const hubs = new Map<string, AppHub>();
  const listeners = new Map<string, ReturnType<typeof getRequestListener>>();

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://apps").pathname;
    const name = /^\/([^/]+)\//.exec(path)?.[1];
    const app = name === undefined ? undefined : hubs.get(name);
    if (name !== undefined && app !== undefined) {
      if (app.hub.handleRequest(request, response, { path: `/${name}/ws` })) return;
      const listener = listeners.get(name);
      if (listener && !isPage(path, name)) {
        void listener(request, response);
        return;
      }
    }
    void serveFile(dist, request, response);
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? "/", "http://apps").pathname;
    const name = /^\/([^/]+)\/ws$/.exec(path)?.[1];
    const app = name === undefined ? undefined : hubs.get(name);
    if (app) app.hub.handleUpgrade(request, socket, head);
    else socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  const url = `http://${host}:${port}/`;
  // The hubs come once the server listens: their factories learn the app's URL (a backend
  // process beside a hub is told where the hub's HTTP API is).
  for (const [name, factory] of Object.entries(factories)) {
    const app = await factory({ url: `${url}${name}/` });
    hubs.set(name, app);
    if (app.routes) {
      // The routes see paths under the app: `/<app>/api/x` reaches them as `/api/x`.
      const mounted = new Hono().route(`/${name}`, app.routes);
      listeners.set(name, getRequestListener(mounted.fetch));
    }
  }
  return {
    url,
    port,
    hubs,
    appUrl: (name) => `${url}${name}/`,
    async close() {
      await Promise.all([...hubs.values()].map((app) => app.close()));
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** The page itself and the built files under `/<app>/`, served from `dist/`. */
function isPage(path: string, name: string): boolean {
  return path === `/${name}/` || path === `/${name}/index.html`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A file of `dist`: `/` is the launcher, `/<app>` and `/<app>/` the app's page. */
async function serveFile(
  dist: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? "/", "http://apps").pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  if (path === "/favicon.ico") {
    // Pages that declare no icon: nothing, rather than a 404 in every console.
    response.writeHead(204).end();
    return;
  }
  if (APPS.some((app) => path === `/${app.name}`)) {
    response.writeHead(308, { location: `${path}/` }).end();
    return;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = normalize(join(dist, path));
  if (!file.startsWith(dist.endsWith(sep) ? dist : dist + sep)) {
    response.writeHead(404).end();
    return;
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error("not a file");
    const body = await readFile(file);
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      // Vite names assets by their content: they never change. Pages are revalidated.
      "cache-control": path.startsWith("/assets/")
        ? "public, max-age=31536000, immutable"
        : "no-cache",
      "x-content-type-options": "nosniff",
    });
    response.end(request.method === "HEAD" ? undefined : body);
  } catch {
    if (path === "/index.html") {
      response.writeHead(503, { "content-type": TYPES[".html"] as string }).end(NOT_BUILT);
      return;
    }
    response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found");
  }
}
