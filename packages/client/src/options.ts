import type { ClientCodec } from "./codec.js";
import { jsonCodec } from "./codec.js";
import type { Contract } from "./contract.js";
import type { WebSocketConstructor } from "./websocket.js";

/**
 * Reconnect timing. A link that stayed up `resetAfter` is stable: when it drops on the fast
 * tier the client retries at once. Every other drop or failed attempt adds one to `n` (the
 * connection store's `attempt`) and waits:
 * - **fast** (network drops, `reconnect`-class close codes such as `slow_consumer` or
 *   `server_shutting_down`): a delay drawn uniformly from
 *   `[0, min(maxDelay, minDelay * 2^(n-1))]` ("full jitter");
 * - **slow** (`backoff`-class close codes: `rate_limited`, `too_many_connections`,
 *   `connect_timeout`): the server is protecting itself, so the delay is drawn from
 *   `[d/2, d]` with `d = min(slowMaxDelay, slowMinDelay * 2^(n-1))`: never sooner than half of `d`.
 *
 * `n` goes back to 0 once a link stayed up `resetAfter`. Terminal close codes
 * (`unauthorized`, `token_invalid`, ...) stop reconnecting.
 */
export interface ReconnectOptions {
  /**
   * Base of the fast tier in milliseconds.
   * @default 1_000
   */
  minDelay: number;
  /**
   * Cap of the fast tier in milliseconds.
   * @default 30_000
   */
  maxDelay: number;
  /**
   * Base of the slow tier in milliseconds.
   * @default 5_000
   */
  slowMinDelay: number;
  /**
   * Cap of the slow tier in milliseconds.
   * @default 60_000
   */
  slowMaxDelay: number;
  /**
   * A link that stays up this many milliseconds is stable: the failed attempts are forgotten
   * and its drop is retried at once.
   * @default 5_000
   */
  resetAfter: number;
}

/** Keep-alive: the server pings, the client answers and watches for silence. */
export interface HeartbeatOptions {
  /**
   * Declare the link dead when nothing (not even a ping) arrived for the server's
   * `heartbeat.interval + heartbeat.timeout` (announced in the connect reply).
   * @default true
   */
  watch: boolean;
  /**
   * Milliseconds a probe (a client ping when the page becomes visible again) may take before
   * the link is declared dead.
   * @default 5_000
   */
  probeTimeout: number;
}

/** The queue of publishes and RPC calls made while the link is down. */
export interface OutboxOptions {
  /**
   * Most calls waiting for the link. A call beyond it rejects at once with a
   * `ClientError` `outbox_full`; nothing is dropped silently.
   * @default 1_000
   */
  limit: number;
}

/** What `getToken` may return: no token connects anonymously. */
export type TokenResult = string | null | undefined;

/** Options of {@link createClient}. */
export interface ClientOptions<C extends Contract = Contract> {
  /** WebSocket URL of the hub, e.g. `wss://hub.example.com/ws`. */
  url: string;
  /**
   * A fixed token (JWT), for tokens that do not expire. It cannot be renewed: when it expires
   * the client stops (`disconnected`, reason `token_expired`, a `SwitchyardError` in `error`).
   * Prefer `getToken` for tokens that expire.
   */
  token?: string;
  /**
   * Returns a current token; awaited before every connection attempt and before the token
   * expires (then sent as a `refresh`).
   */
  getToken?: () => TokenResult | Promise<TokenResult>;
  /**
   * Data (JSON) sent in every `connect` frame for the application's backend (a connect proxy
   * reads it, docs/backends.md), or a function returning it, awaited before every connection
   * attempt. The hub itself ignores it.
   * @default undefined (none sent)
   */
  connectData?: unknown | (() => unknown | Promise<unknown>);
  /**
   * The session id to ask the hub for. The hub answers with the session the client joined:
   * this one when it is bound to the client's identity (a user's own id, or an id the hub
   * issued), else a fresh one, which the client adopts (`client.sessionId`). When absent, a
   * browser asks for the id stored in `localStorage` (key `switchyard.sessionId`) and stores
   * the one the hub gives, so all tabs form one session; elsewhere the hub issues one per
   * client, kept across its reconnects.
   */
  sessionId?: string;
  /**
   * Frame encoding: `"json"` or a codec object such as `msgpackCodec` from
   * `@switchyard/client/msgpack`.
   * @default "json"
   */
  codec?: "json" | ClientCodec;
  /**
   * Reconnect timing, or false to never reconnect on its own.
   * @default DEFAULT_RECONNECT
   */
  reconnect?: false | Partial<ReconnectOptions>;
  /** @default DEFAULT_HEARTBEAT */
  heartbeat?: Partial<HeartbeatOptions>;
  /** @default DEFAULT_OUTBOX */
  outbox?: Partial<OutboxOptions>;
  /**
   * Milliseconds one connection attempt (token, socket open, connect reply) may take.
   * @default 10_000
   */
  connectTimeout?: number;
  /**
   * Milliseconds a publish or RPC call may wait for its reply, time in the outbox included.
   * `Infinity` waits forever. A call may set its own `timeout`.
   * @default 30_000
   */
  requestTimeout?: number;
  /**
   * Milliseconds before the token's expiry at which a fresh one from `getToken` is sent, or
   * `false` to never refresh early: at expiry the hub closes the link with `token_expired` and
   * the reconnect fetches a fresh token from `getToken`.
   * @default 30_000
   */
  refreshBeforeExpiry?: number | false;
  /**
   * Connect when created; otherwise call `client.connect()`.
   * @default true
   */
  autoConnect?: boolean;
  /**
   * The WebSocket class. Defaults to the global one; on Node without a global WebSocket
   * (before Node 22) the optional `ws` package is loaded.
   */
  WebSocket?: WebSocketConstructor;
  /** A contract from `defineContract`: types for channels, events and RPC methods. */
  contract?: C;
}

/** Default reconnect timing. */
export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = {
  minDelay: 1_000,
  maxDelay: 30_000,
  slowMinDelay: 5_000,
  slowMaxDelay: 60_000,
  resetAfter: 5_000,
};

/** Default keep-alive settings. */
export const DEFAULT_HEARTBEAT: Readonly<HeartbeatOptions> = { watch: true, probeTimeout: 5_000 };

/** Default outbox settings. */
export const DEFAULT_OUTBOX: Readonly<OutboxOptions> = { limit: 1_000 };

/** Default time for one connection attempt, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** Default time a publish or RPC call waits for its reply, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

/** Default margin before token expiry at which the token is refreshed, in milliseconds. */
export const DEFAULT_REFRESH_BEFORE_EXPIRY = 30_000;

/** Options with every default applied. */
export interface ResolvedOptions {
  url: string;
  getToken: () => TokenResult | Promise<TokenResult>;
  /** The data of the next `connect` frame (undefined: none). */
  connectData: () => unknown | Promise<unknown>;
  /** True when tokens come from `getToken` and are refreshed before they expire. */
  refreshable: boolean;
  /** True when the only token is the fixed `token` option: an expired one cannot be renewed. */
  fixedToken: boolean;
  codec: ClientCodec;
  reconnect: Readonly<ReconnectOptions> | false;
  heartbeat: Readonly<HeartbeatOptions>;
  outbox: Readonly<OutboxOptions>;
  connectTimeout: number;
  requestTimeout: number;
  refreshBeforeExpiry: number;
  WebSocket: WebSocketConstructor | undefined;
}

/** Applies the defaults and checks the options. */
export function resolveOptions(options: ClientOptions<Contract>): ResolvedOptions {
  if (typeof options.url !== "string" || options.url === "") {
    throw new TypeError("createClient: 'url' must be a WebSocket URL");
  }
  const { token, getToken } = options;
  const codec = options.codec === undefined || options.codec === "json" ? jsonCodec : options.codec;
  if (typeof codec !== "object") {
    throw new TypeError(
      "createClient: 'codec' must be \"json\" or a codec object; for MessagePack pass " +
        "msgpackCodec from @switchyard/client/msgpack",
    );
  }
  return {
    url: options.url,
    getToken: getToken ?? (() => token),
    connectData:
      typeof options.connectData === "function"
        ? (options.connectData as () => unknown | Promise<unknown>)
        : () => options.connectData,
    refreshable: getToken !== undefined && options.refreshBeforeExpiry !== false,
    fixedToken: getToken === undefined && token !== undefined,
    codec,
    reconnect: options.reconnect === false ? false : { ...DEFAULT_RECONNECT, ...options.reconnect },
    heartbeat: { ...DEFAULT_HEARTBEAT, ...options.heartbeat },
    outbox: { ...DEFAULT_OUTBOX, ...options.outbox },
    connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    requestTimeout: options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
    refreshBeforeExpiry:
      options.refreshBeforeExpiry === false
        ? 0
        : (options.refreshBeforeExpiry ?? DEFAULT_REFRESH_BEFORE_EXPIRY),
    WebSocket: options.WebSocket,
  };
}
