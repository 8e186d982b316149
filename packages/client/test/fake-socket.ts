/**
 * A test double of the browser WebSocket for unit tests of the client's bookkeeping: the test
 * plays the server by hand. Integration tests use the real hub instead.
 */
import type { ConnectResult } from "@switchyard/protocol";
import { afterEach, beforeEach, vi } from "vitest";
import {
  type Client,
  type ClientOptions,
  type CloseEventLike,
  createClient,
  type MessageEventLike,
  type WebSocketLike,
} from "../src/index.js";

type Listener = (event: never) => void;

export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];

  readyState = 0;
  protocol = "";
  binaryType = "blob";
  /** Decoded frames the client sent. */
  readonly sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  terminated = false;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.instances.push(this);
  }

  static get last(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error("no socket was created");
    return socket;
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
  addEventListener(type: "close", listener: (event: CloseEventLike) => void): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: string, listener: Listener): void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener);
    this.#listeners.set(type, list);
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) return;
    this.sent.push(JSON.parse(String(data)));
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.closedWith = code;
    this.#fire("close", { code, reason: "" });
  }

  terminate(): void {
    if (this.readyState >= 2) return;
    this.terminated = true;
    this.#fire("close", { code: 1006, reason: "" });
  }

  // --- the test plays the server ---

  /** The handshake succeeds at the socket level. */
  open(): void {
    this.readyState = 1;
    this.protocol = Array.isArray(this.protocols) ? (this.protocols[0] ?? "") : "";
    this.#fire("open", {});
  }

  /** Sends frames (one message; an array is a batch). */
  receive(frame: unknown): void {
    this.#fire("message", { data: JSON.stringify(frame) });
  }

  /** The server closes the socket. */
  serverClose(code: number, reason = ""): void {
    if (this.readyState >= 2) return;
    this.#fire("close", { code, reason });
  }

  /** Frames sent by the client with this type. */
  frames(type: string): Record<string, unknown>[] {
    return this.sent.filter((frame) => frame.type === type);
  }

  /** Opens the socket and answers the connect frame. */
  accept(overrides: Partial<ConnectResult> = {}): ConnectResult {
    this.open();
    const connect = this.frames("connect")[0];
    if (!connect) throw new Error("the client sent no connect frame");
    const result: ConnectResult = {
      clientId: `c${FakeSocket.instances.length}`,
      // As the hub: the id asked for, or one it issues.
      sessionId:
        typeof connect.sessionId === "string"
          ? connect.sessionId
          : `issued-${FakeSocket.instances.length}`,
      userId: null,
      protocol: "switchyard.v1",
      heartbeat: { interval: 25_000, timeout: 10_000 },
      limits: { maxMessageBytes: 65_536, maxSubscriptions: 1000, rate: 100, burst: 200 },
      expiresAt: null,
      channels: {},
      ...overrides,
    };
    this.receive({ type: "reply", id: connect.id, result });
    return result;
  }

  /** Replies to the request with this id. */
  reply(id: unknown, result: unknown = {}): void {
    this.receive({ type: "reply", id, result });
  }

  #fire(type: string, event: object): void {
    if (type === "close") this.readyState = 3;
    for (const listener of this.#listeners.get(type) ?? [])
      (listener as (e: object) => void)(event);
  }
}

/** Lets pending promise callbacks run (getToken, replies) without moving the clock. */
export async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** What {@link useFakeSockets} gives a test file. */
export interface FakeSockets {
  /** Makes a client of `ws://hub.test/ws` on fake sockets, closed after the test. */
  start(options?: Partial<ClientOptions>): Client;
}

/**
 * Fake timers and a fresh {@link FakeSocket} registry for every test of the calling file (or
 * `describe` block), and clients on them that are closed after each test.
 */
export function useFakeSockets(): FakeSockets {
  const clients: Client[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.reset();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    vi.useRealTimers();
  });
  return {
    start(options = {}) {
      const client = createClient({ url: "ws://hub.test/ws", WebSocket: FakeSocket, ...options });
      clients.push(client);
      return client;
    },
  };
}

/**
 * Opens the newest socket and answers its connect (with `overrides` in the result), then
 * keeps the link up for 5 s: a stable link, so that the next drop is retried at once.
 */
export async function connect(overrides: Partial<ConnectResult> = {}): Promise<FakeSocket> {
  await flush();
  const socket = FakeSocket.last;
  socket.accept(overrides);
  await vi.advanceTimersByTimeAsync(5_000);
  return socket;
}

/** Drops the link as a network would (1006) and connects again at once. */
export async function reconnect(overrides: Partial<ConnectResult> = {}): Promise<FakeSocket> {
  FakeSocket.last.serverClose(1006);
  return connect(overrides);
}
