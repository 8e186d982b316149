/**
 * Real hubs for integration tests: an `http.Server` on port 0 with `createHub` attached,
 * restartable on the same port with a broker that outlives each hub (as a Redis broker
 * outlives a hub node), and handles on the raw TCP sockets to cut links; cleanups run after
 * each test, and clients whose every change pokes a signal.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHub, type Hub, type HubOptions } from "@switchyard/server";
import { type SharedBroker, Signal } from "@switchyard/server/testing";
import { afterEach } from "vitest";
import {
  type Client,
  type ClientOptions,
  type ConnectionState,
  type ConnectionStatus,
  createClient,
} from "../src/index.js";

export { SharedBroker, Signal } from "@switchyard/server/testing";

/** A hub on a real http.Server; `restart` brings up a new hub on the same port. */
export class HubServer {
  hub!: Hub;
  server!: Server;
  port = 0;
  /** Open TCP sockets of the current server. */
  readonly sockets = new Set<Socket>();
  readonly #options: HubOptions;
  readonly #shared: SharedBroker | undefined;
  #setup: ((hub: Hub) => void) | undefined;

  private constructor(options: HubOptions, shared: SharedBroker | undefined) {
    this.#options = options;
    this.#shared = shared;
  }

  /** Starts a hub; with `shared`, its broker outlives restarts. `setup` runs on every hub. */
  static async start(
    options: HubOptions,
    init: { shared?: SharedBroker; setup?: (hub: Hub) => void } = {},
  ): Promise<HubServer> {
    const fixture = new HubServer(options, init.shared);
    fixture.#setup = init.setup;
    await fixture.#up(0);
    return fixture;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  async #up(port: number): Promise<void> {
    const server = createServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    const broker = this.#shared?.lease() ?? this.#options.broker;
    const hub = createHub({ ...this.#options, ...(broker ? { broker } : {}) });
    this.#setup?.(hub);
    hub.attach(server);
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    this.server = server;
    this.hub = hub;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops the hub and its server; connections are closed. */
  async stop(): Promise<void> {
    await this.hub.close({ timeout: 200 });
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
  }

  /** Brings a new hub up on the same port (call after `stop`). */
  async start(): Promise<void> {
    await this.#up(this.port);
  }

  /** Destroys every open TCP socket: the client sees an abnormal close (1006). */
  destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Holds back everything the server writes to the current sockets, as a dead network would:
   * the client hears nothing, not even pings.
   */
  silenceSockets(): void {
    for (const socket of this.sockets) socket.cork();
  }
}

/** A cleanup run after a test. */
export type Disposer = () => Promise<void> | void;

/** A client whose connection changes are recorded in `states` and poke `signal`. */
export interface WatchedClient {
  readonly client: Client;
  readonly signal: Signal;
  readonly states: ConnectionState[];
  status(): ConnectionStatus;
  connected(): boolean;
}

/** What {@link useIntegration} gives a test file. */
export interface Integration {
  /** Cleanups run after each test, the last pushed first. */
  readonly disposers: Disposer[];
  /**
   * A client of `url` with short reconnect delays on both tiers, closed after the test.
   * `options` override any of its options.
   */
  connectClient(url: string, options?: Partial<ClientOptions>): WatchedClient;
}

/** Cleanups and watched clients for the integration tests of the calling file. */
export function useIntegration(): Integration {
  const disposers: Disposer[] = [];
  afterEach(async () => {
    while (disposers.length > 0) await disposers.pop()?.();
  });
  return {
    disposers,
    connectClient(url, options = {}) {
      const signal = new Signal();
      const client: Client = createClient({
        url,
        reconnect: { minDelay: 20, maxDelay: 200, slowMinDelay: 50, slowMaxDelay: 200 },
        ...options,
      });
      disposers.push(() => client.close());
      const states: ConnectionState[] = [];
      client.connection.subscribe(() => {
        states.push(client.connection.getSnapshot());
        signal.poke();
      });
      const status = () => client.connection.getSnapshot().status;
      return { client, signal, states, status, connected: () => status() === "connected" };
    },
  };
}
