/**
 * The standalone server's HTTP app and a hub on a real port, restartable on the same port
 * with a broker that outlives each hub (as a Redis broker outlives a hub node), so a page
 * can watch its hub go away and come back.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createHub, type Hub, type HubOptions } from "@switchyard/server";
import { SharedBroker } from "@switchyard/server/testing";

export { SharedBroker };

import { createServerApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";

/** The HTTP API key of test hubs. */
export const API_KEY = "browser-test-key";

/** What a test hub runs with. */
export interface HubServerOptions {
  hub: HubOptions;
  /** The built inspector and browser SDK. */
  inspectorDir: string;
  /** A broker that outlives restarts; each hub gets its own memory broker when absent. */
  shared?: SharedBroker;
}

/** A hub with the standalone server's routes (`/sdk/…`, `/api/…`, `/stats`) on a real port. */
export class HubServer {
  hub!: Hub;
  port = 0;
  #server!: Server;
  readonly #options: HubServerOptions;

  private constructor(options: HubServerOptions) {
    this.#options = options;
  }

  static async start(options: HubServerOptions): Promise<HubServer> {
    const fixture = new HubServer(options);
    await fixture.#listen(0);
    return fixture;
  }

  /** `http://127.0.0.1:<port>`: the origin pages load the SDK from. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async #listen(port: number): Promise<void> {
    const broker = this.#options.shared?.lease();
    const hub = createHub({ ...this.#options.hub, ...(broker ? { broker } : {}) });
    const app = createServerApp({
      hub,
      apiKey: API_KEY,
      metrics: createMetrics(hub),
      logger: createLogger("silent"),
      maxBodyBytes: 1_048_576,
      isClosing: () => false,
      inspectorDir: this.#options.inspectorDir,
    });
    const server = createServer(getRequestListener(app.fetch));
    hub.attach(server, { path: "/ws" });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    this.hub = hub;
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Closes the hub (clients get `server_shutting_down`) and its server. */
  async stop(): Promise<void> {
    await this.hub.close({ timeout: 500 });
    this.#server.closeAllConnections();
    if (this.#server.listening) await new Promise((resolve) => this.#server.close(resolve));
  }

  /** Starts a new hub on the same port (after {@link HubServer.stop}). */
  async restart(): Promise<void> {
    await this.#listen(this.port);
  }

  /** Publishes through the HTTP API, as a backend would. */
  async publish(channel: string, event: string, data?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/api/publish`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ channel, event, data }),
    });
    if (!response.ok)
      throw new Error(`publish failed: ${response.status} ${await response.text()}`);
    return response.json();
  }
}
