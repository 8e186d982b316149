import {
  type CloseAction,
  type ConnectFrame,
  type ConnectResult,
  closeActionOf,
  closeCodeOf,
  errorCodeOfClose,
  isErrorCode,
  type ReplyFrame,
  type ServerFrame,
  type StreamPosition,
  SwitchyardError,
} from "@switchyard/protocol";
import { Backoff, type BackoffTier } from "./backoff.js";
import { messageSize } from "./codec.js";
import type { ConnectionReason, ConnectionState } from "./connection-state.js";
import { ClientError, errorFromPayload } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import { SDK_NAME } from "./sdk.js";
import { Store } from "./store.js";
import { loadWebSocket, type WebSocketLike } from "./websocket.js";

/** What the connection tells its owner. */
export interface ConnectionHooks {
  /** The positions of personal channels to recover (`connect.since`). */
  since(): Record<string, StreamPosition> | undefined;
  /** The link is up. */
  opened(info: ConnectResult): void;
  /** A frame arrived on the live link (server pings are answered here already). */
  frame(frame: ServerFrame): void;
  /** The live link is gone. */
  lost(): void;
  /** Stopped for good after a terminal close, a refused connect or `close()`. */
  stopped(error: Error): void;
}

type Phase = "idle" | "waiting" | "opening" | "live" | "closed";
type Timer = ReturnType<typeof setTimeout>;

/** Close code the client uses when it closes a socket itself. */
const NORMAL_CLOSURE = 1000;

/**
 * The socket lifecycle: connection attempts with their timeout, the connect handshake,
 * keep-alive (answering pings, declaring a silent link dead), and reconnects with backoff.
 * Everything it knows is published as a {@link ConnectionState} store.
 */
export class Connection {
  readonly store: Store<ConnectionState>;
  readonly #options: ResolvedOptions;
  /** The session id to ask for on the next attempt (none: the hub issues one). */
  readonly #sessionId: () => string | undefined;
  readonly #hooks: ConnectionHooks;
  readonly #backoff: Backoff;
  #phase: Phase = "idle";
  #tier: BackoffTier = "fast";
  /** Bumped whenever a socket is abandoned: late events of old sockets are ignored. */
  #generation = 0;
  #socket: WebSocketLike | undefined;
  #connected = false;
  /** The live link has been up `resetAfter`: its drop is retried at once. */
  #stable = false;
  #info: ConnectResult | null = null;
  #lastMessageAt = 0;
  #retryTimer: Timer | undefined;
  #attemptTimer: Timer | undefined;
  #watchTimer: Timer | undefined;
  #stableTimer: Timer | undefined;

  constructor(
    options: ResolvedOptions,
    sessionId: () => string | undefined,
    hooks: ConnectionHooks,
  ) {
    this.#options = options;
    this.#sessionId = sessionId;
    this.#hooks = hooks;
    this.#backoff = new Backoff(options.reconnect || { ...DISABLED });
    this.store = new Store<ConnectionState>({
      status: "disconnected",
      reason: "idle",
      closeCode: null,
      error: null,
      attempt: 0,
      retryAt: null,
      info: null,
    });
  }

  /** True while the link is up. */
  get live(): boolean {
    return this.#phase === "live";
  }

  /** Starts connecting (no-op unless stopped). */
  start(): void {
    if (this.#phase !== "idle") return;
    this.#backoff.reset();
    this.#set({
      status: this.#connected ? "reconnecting" : "connecting",
      reason: "connect",
      closeCode: null,
      error: null,
    });
    void this.#attempt();
  }

  /** Stops: `disconnected` (restartable) or `closed` (final). */
  stop(status: "disconnected" | "closed"): void {
    if (this.#phase === "closed") return;
    const wasLive = this.#phase === "live";
    this.#abandon(true);
    this.#phase = status === "closed" ? "closed" : "idle";
    if (wasLive) this.#hooks.lost();
    this.#set({ status, reason: "closed_by_client", closeCode: null, error: null, info: null });
  }

  /**
   * Starts the waiting attempt now (the network came back, the page became visible).
   * A wait of the slow tier is kept: the server asked for it.
   */
  retryNow(reason: ConnectionReason): void {
    if (this.#phase !== "waiting" || this.#tier === "slow") return;
    clearTimeout(this.#retryTimer);
    this.#set({ reason });
    void this.#attempt();
  }

  /**
   * Gives up the link and reconnects: a probe went unanswered, or the link must be replaced
   * (a refreshed token names another user). `error` is what the store reports.
   */
  drop(reason: ConnectionReason, error?: Error): void {
    if (this.#phase !== "live" && this.#phase !== "opening") return;
    this.#down(reason, null, "reconnect", error ?? null);
  }

  /** Sends a frame on the live link; throws `message_too_large` past the server's limit. */
  send(frame: object): void {
    const socket = this.#socket;
    if (this.#phase !== "live" || !socket) throw new SwitchyardError("not_connected");
    const message = this.#options.codec.encode(frame);
    const limit = this.#info?.limits.maxMessageBytes;
    const size = messageSize(message);
    if (typeof limit === "number" && size > limit) {
      throw new SwitchyardError(
        "message_too_large",
        `The message has ${size} bytes; the server accepts at most ${limit}`,
      );
    }
    socket.send(message);
  }

  async #attempt(): Promise<void> {
    const generation = ++this.#generation;
    this.#phase = "opening";
    this.#set({
      status: this.#connected ? "reconnecting" : "connecting",
      retryAt: null,
      attempt: this.#backoff.attempt,
    });
    this.#attemptTimer = setTimeout(
      () => this.#down("connect_timeout", null, "reconnect", null),
      this.#options.connectTimeout,
    );
    let token: string | null | undefined;
    let data: unknown;
    let WebSocketClass = this.#options.WebSocket;
    try {
      token = await this.#options.getToken();
      data = await this.#options.connectData();
    } catch (error) {
      if (generation === this.#generation) this.#down("token_error", null, "reconnect", error);
      return;
    }
    try {
      WebSocketClass ??= await loadWebSocket();
    } catch (error) {
      if (generation === this.#generation) this.#down("network", null, "terminal", error);
      return;
    }
    if (generation !== this.#generation) return;
    let socket: WebSocketLike;
    try {
      socket = new WebSocketClass(this.#options.url, [this.#options.codec.subprotocol]);
    } catch (error) {
      // A malformed URL: retrying cannot help.
      this.#down("network", null, "terminal", error);
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => {
      if (generation !== this.#generation) return;
      const connect: ConnectFrame = { type: "connect", id: 0, sdk: SDK_NAME };
      const sessionId = this.#sessionId();
      if (sessionId !== undefined) connect.sessionId = sessionId;
      if (token) connect.token = token;
      if (data !== undefined) connect.data = data;
      const since = this.#hooks.since();
      if (since && Object.keys(since).length > 0) connect.since = since;
      socket.send(this.#options.codec.encode(connect));
    });
    socket.addEventListener("message", (event) => {
      if (generation === this.#generation) this.#message(event.data, generation);
    });
    socket.addEventListener("close", (event) => {
      if (generation !== this.#generation) return;
      const code = errorCodeOfClose(event.code);
      // The close reason repeats the hub's error message.
      const error = code && new SwitchyardError(code, event.reason || undefined);
      this.#down(code ?? "network", event.code, closeActionOf(event.code), error);
    });
    // Kept for the socket's whole life: `ws` throws on an error event nobody listens to.
    socket.addEventListener("error", () => {});
  }

  #message(data: unknown, generation: number): void {
    this.#lastMessageAt = Date.now();
    let decoded: unknown;
    try {
      decoded = this.#options.codec.decode(data as string | ArrayBuffer | Uint8Array);
    } catch {
      return; // Not ours to fix; the heartbeat still guards the link.
    }
    const frames = Array.isArray(decoded) ? decoded : [decoded];
    for (const value of frames) {
      if (generation !== this.#generation) return;
      if (typeof value !== "object" || value === null) continue;
      const frame = value as ServerFrame;
      if (frame.type === "ping" && (frame as { id?: unknown }).id === undefined) {
        this.#socket?.send(this.#options.codec.encode({ type: "pong" }));
      } else if (this.#phase === "live") {
        this.#hooks.frame(frame);
      } else if (frame.type === "reply" && frame.id === 0) {
        this.#handshake(frame);
      }
    }
  }

  #handshake(reply: ReplyFrame): void {
    if ("error" in reply && reply.error) {
      const error = errorFromPayload(reply.error);
      const close = closeCodeOf(error.code);
      let action: CloseAction = "terminal";
      if (close !== undefined) action = closeActionOf(close);
      else if (error.code === "internal_error") action = "reconnect";
      // The node cannot reach its broker (Redis) right now; it retries, so does the client.
      else if (error.code === "broker_unavailable") action = "backoff";
      this.#down(error.code, close ?? null, action, error);
      return;
    }
    const info = (reply as { result: ConnectResult }).result;
    clearTimeout(this.#attemptTimer);
    this.#phase = "live";
    this.#connected = true;
    this.#info = info;
    this.#tier = "fast";
    if (this.#options.reconnect) {
      this.#stableTimer = setTimeout(() => {
        this.#stable = true;
        this.#backoff.reset();
        this.#set({ attempt: 0 });
      }, this.#options.reconnect.resetAfter);
    }
    if (this.#options.heartbeat.watch) this.#watch();
    this.#set({
      status: "connected",
      reason: "connected",
      closeCode: null,
      error: null,
      retryAt: null,
      info,
    });
    this.#hooks.opened(info);
  }

  /** Declares the link dead after `interval + timeout` of silence (the server's figures). */
  #watch(): void {
    const heartbeat = this.#info?.heartbeat;
    const limit = (heartbeat?.interval ?? 25_000) + (heartbeat?.timeout ?? 10_000);
    const due = this.#lastMessageAt + limit - Date.now();
    this.#watchTimer = setTimeout(
      () => {
        if (Date.now() - this.#lastMessageAt >= limit) {
          this.#down("heartbeat_timeout", null, "reconnect", null);
        } else {
          this.#watch();
        }
      },
      Math.max(due, 0),
    );
  }

  /** The current socket is gone or given up: tell the owner, then retry or stop. */
  #down(
    reason: ConnectionReason,
    closeCode: number | null,
    action: CloseAction,
    error: unknown,
  ): void {
    let cause = error instanceof Error ? error : null;
    if (reason === "token_expired" && this.#options.fixedToken) {
      // A fixed token that expired would only be refused again: stop instead of retrying.
      action = "terminal";
      cause = new SwitchyardError("token_expired", FIXED_TOKEN_EXPIRED);
    }
    // Every state caused by an error code carries that error, even one the client detected.
    if (cause === null && isErrorCode(reason)) cause = new SwitchyardError(reason);
    const wasLive = this.#phase === "live";
    const wasStable = wasLive && this.#stable;
    this.#abandon(false);
    if (wasLive) this.#hooks.lost();
    if (action === "terminal" || !this.#options.reconnect) {
      this.#phase = "idle";
      this.#set({ status: "disconnected", reason, closeCode, error: cause, info: null });
      this.#hooks.stopped(cause ?? new ClientError("connection_lost"));
      return;
    }
    this.#tier = action === "backoff" ? "slow" : "fast";
    // A stable link proved the way back works: retrying it at once is no failed attempt. Any
    // other drop counts, so a hub that accepts and then cuts every link is not hammered.
    const delay = wasStable && this.#tier === "fast" ? 0 : this.#backoff.next(this.#tier);
    this.#phase = "waiting";
    this.#set({
      status: this.#connected ? "reconnecting" : "connecting",
      reason,
      closeCode,
      error: cause,
      attempt: this.#backoff.attempt,
      retryAt: Date.now() + delay,
      info: null,
    });
    this.#retryTimer = setTimeout(() => void this.#attempt(), delay);
  }

  /**
   * Forgets the current socket and every timer. A graceful close sends the close handshake;
   * otherwise (a dead or failed link) `ws` sockets are dropped at once, as browsers cannot.
   */
  #abandon(graceful: boolean): void {
    this.#generation++;
    this.#stable = false;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#attemptTimer);
    clearTimeout(this.#watchTimer);
    clearTimeout(this.#stableTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#info = null;
    if (!socket) return;
    const terminate = (socket as { terminate?: () => void }).terminate;
    try {
      if (!graceful && typeof terminate === "function") terminate.call(socket);
      else socket.close(NORMAL_CLOSURE);
    } catch {
      // Already closed.
    }
  }

  #set(patch: Partial<ConnectionState>): void {
    this.store.update(patch);
  }
}

const FIXED_TOKEN_EXPIRED =
  "The token has expired, and a fixed 'token' cannot be renewed: pass 'getToken' so the " +
  "client fetches a fresh token for every connection (or create a new client with a new token)";

const DISABLED = { minDelay: 0, maxDelay: 0, slowMinDelay: 0, slowMaxDelay: 0, resetAfter: 0 };
