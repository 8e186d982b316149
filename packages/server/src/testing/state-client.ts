import { type ErrorPayload, SwitchyardError } from "@switchyard/protocol";
import { Signal } from "./signal.js";

/** The part of a `ws` WebSocket the test client uses. */
export interface ContractSocket {
  on(event: "message", listener: (data: Buffer) => void): unknown;
  on(event: "open" | "close" | "error", listener: () => void): unknown;
  send(data: string): void;
  terminate(): void;
}

/** A frame from the hub, as JSON. */
export type HubFrame = Record<string, unknown> & { type: string };

/** A WebSocket class such as the `ws` package's default export. */
export type ContractWebSocket = new (url: string) => ContractSocket;

/**
 * A raw JSON-protocol client for contract tests (on the `ws` package's WebSocket): records
 * every frame, answers pings, sends requests and waits for their replies — no sleeps.
 */
export class ContractClient {
  readonly frames: HubFrame[] = [];
  private readonly signal = new Signal();
  /** The client id the hub gave in its connect reply. */
  clientId = "";
  private nextId = 1;
  private closed = false;

  private constructor(private readonly socket: ContractSocket) {
    socket.on("message", (data) => {
      const decoded: unknown = JSON.parse(data.toString());
      for (const frame of (Array.isArray(decoded) ? decoded : [decoded]) as HubFrame[]) {
        if (frame.type === "ping" && frame.id === undefined) this.send({ type: "pong" });
        this.frames.push(frame);
      }
      this.signal.poke();
    });
    socket.on("close", () => {
      this.closed = true;
      this.signal.poke();
    });
    socket.on("error", () => {});
  }

  /** Opens a socket to `url` and connects (with `token` when given). */
  static async connect(
    WebSocket: ContractWebSocket,
    url: string,
    token?: string,
  ): Promise<ContractClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.on("open", resolve);
      socket.on("error", () => reject(new Error(`cannot open ${url}`)));
    });
    const client = new ContractClient(socket);
    const reply = await client.request({ type: "connect", ...(token ? { token } : {}) });
    if (reply.error) throw new Error(`connect failed: ${JSON.stringify(reply.error)}`);
    client.clientId = String((reply.result as { clientId?: unknown }).clientId);
    return client;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a request with a fresh id and resolves with its reply frame. */
  async request(frame: Record<string, unknown>): Promise<HubFrame> {
    const id = this.nextId++;
    this.send({ ...frame, id });
    let reply: HubFrame | undefined;
    await this.signal.until(
      () => {
        reply = this.frames.find((each) => each.type === "reply" && each.id === id);
        return reply !== undefined || this.closed;
      },
      `the reply to ${JSON.stringify(frame)}`,
    );
    if (reply === undefined) throw new Error("the connection closed before the reply");
    return reply;
  }

  /** Calls an RPC: resolves with its result, rejects with its error as a SwitchyardError. */
  async rpc<T = unknown>(method: string, data?: unknown): Promise<T> {
    const reply = await this.request({ type: "rpc", method, data });
    if (reply.error) throw SwitchyardError.fromPayload(reply.error as ErrorPayload);
    return reply.result as T;
  }

  /** Subscribes: resolves with the reply's result, rejects with its error. */
  async subscribe(
    channel: string,
    since?: { epoch: string; offset: number },
  ): Promise<Record<string, unknown>> {
    const reply = await this.request({ type: "subscribe", channel, ...(since ? { since } : {}) });
    if (reply.error) throw SwitchyardError.fromPayload(reply.error as ErrorPayload);
    return reply.result as Record<string, unknown>;
  }

  /** The events received on `channel`, in order. */
  events(channel: string): HubFrame[] {
    return this.frames.filter((frame) => frame.type === "event" && frame.channel === channel);
  }

  /** Resolves once `check()` holds, re-checked at every frame. */
  until(check: () => boolean, what: string, timeout?: number): Promise<void> {
    return this.signal.until(check, what, timeout);
  }

  close(): void {
    this.socket.terminate();
  }
}
