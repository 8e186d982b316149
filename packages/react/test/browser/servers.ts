/**
 * What the component tests run against: a real hub on a real port (restartable on the same
 * port, so a page can watch it go away and come back), and a tiny static server for the test
 * page built with esbuild from the components' sources.
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { createHub, type Hub, type HubOptions } from "@switchyard/server";

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  if (server.listening) await new Promise((resolve) => server.close(resolve));
}

/** A hub on a real `http.Server`; `restart` brings a new hub up on the same port. */
export class HubServer {
  hub!: Hub;
  port = 0;
  #server!: Server;
  readonly #options: HubOptions;
  readonly #setup: (hub: Hub) => void;

  private constructor(options: HubOptions, setup: (hub: Hub) => void) {
    this.#options = options;
    this.#setup = setup;
  }

  /** Starts a hub; `setup` runs on it and on every hub after a restart. */
  static async start(options: HubOptions, setup: (hub: Hub) => void = () => {}) {
    const fixture = new HubServer(options, setup);
    await fixture.#up(0);
    return fixture;
  }

  /** The WebSocket URL pages connect to. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  async #up(port: number): Promise<void> {
    const server = createServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    const hub = createHub(this.#options);
    this.#setup(hub);
    hub.attach(server, { path: "/ws" });
    this.port = await listen(server, port);
    this.#server = server;
    this.hub = hub;
  }

  /** Closes the hub (clients get `server_shutting_down`) and its server. */
  async stop(): Promise<void> {
    await this.hub.close({ timeout: 200 });
    await shut(this.#server);
  }

  /** Brings a new hub up on the same port (after `stop`). */
  async start(): Promise<void> {
    await this.#up(this.port);
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Serves the files of `dir` (no listing, no subdirectories) at `http://127.0.0.1:<port>/`. */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const name = new URL(request.url ?? "/", "http://localhost").pathname.slice(1) || "index.html";
    const type = TYPES[extname(name)];
    if (type === undefined || name.includes("/")) {
      response.statusCode = 404;
      response.end();
      return;
    }
    try {
      const body = await readFile(join(dir, name));
      response.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  const port = await listen(server, 0);
  return { url: `http://127.0.0.1:${port}/`, close: () => shut(server) };
}
