import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { HistoryOptions } from "../broker/broker.js";

/** Who a namespace rule lets through. */
export type AccessRule =
  /** Every connection, anonymous ones included. */
  | "anyone"
  /** Connections with a verified token. */
  | "authenticated"
  /** Only channels listed in the token's `channels` claim. */
  | "token"
  /** Nobody from a client; the server may still publish. */
  | "nobody"
  /** Decide per request; throw a SwitchyardError or return false to refuse. */
  | ((context: AccessContext) => boolean | Promise<boolean>);

/** What a rule function sees. */
export interface AccessContext {
  channel: string;
  /** The name part after `namespace:`. */
  name: string;
  clientId: string;
  sessionId: string;
  userId: string | null;
  /** The verified token claims (empty for anonymous connections). */
  claims: Readonly<Record<string, unknown>>;
  /**
   * Public facts about the user (a name, an avatar) that a connect decision gave
   * (`host.authenticate`, the connect proxy's `info`); undefined without one.
   */
  userInfo?: unknown;
}

/** What a conflation key function sees of an event. */
export interface ConflationInput {
  channel: string;
  event: string;
  data: unknown;
}

/** The policy of a family of channels `namespace:*`. */
export interface NamespaceOptions {
  /**
   * Who may subscribe.
   * @default "authenticated"
   */
  subscribe?: AccessRule;
  /**
   * Who may publish from a client. The server (and the HTTP API) may always publish.
   * @default "nobody"
   */
  publish?: AccessRule;
  /**
   * History retention, or false for none (no offsets, no recovery).
   * @default { size: 1000, ttl: 120_000 }
   */
  history?: Partial<HistoryOptions> | false;
  /**
   * Latest value wins: a client's queued, unsent event (queued within the same tick, or
   * waiting because the client is slow) is replaced by a newer one with the same conflation
   * key instead of growing its queue. `true` conflates every event of a channel; a
   * list conflates only those event names, each on its own (progress conflates, chunks never
   * drop); a function returns the key of each event, or undefined for "never conflate" (a
   * job's progress conflates per step, so a step change is never dropped).
   * @default false
   */
  conflate?: boolean | readonly string[] | ((event: ConflationInput) => string | undefined);
  /**
   * Event schemas (Standard Schema: zod, valibot, arktype, ...). When given, only these events
   * may be published, and their data is validated.
   */
  events?: Record<string, StandardSchemaV1>;
  /**
   * Events published without history: delivered live to the current subscribers, with no
   * offset, never kept, never replayed on recovery — for what is stale a moment later (a
   * cursor, a dragged source's position). `true`: every event of the namespace; a list: these
   * event names. With `conflate`, a slow client gets only the latest value per key.
   * @default false
   */
  ephemeral?: boolean | readonly string[];
  /**
   * Most ephemeral events one client may publish per second on one channel of the namespace;
   * more are refused with `rate_limited` (the connection stays).
   * @default 30
   */
  ephemeralRate?: number;
  /**
   * The channel's current state, sent in every subscribe reply (`result.snapshot`) so a late
   * joiner or a reconnecting client is up to date at once (a job's status, a state document).
   * Read after the subscription is registered: it reflects at least every event up to the
   * reply's offset; later events follow and may already be in it, so apply them idempotently.
   * Return undefined for "no snapshot".
   */
  snapshot?: (context: AccessContext) => unknown | Promise<unknown>;
}

/** JWT verification. Give exactly one key source. */
export interface AuthOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** RS256 / ES256 public key in PEM (SPKI) form. */
  publicKey?: string;
  /** URL of a JSON Web Key Set. */
  jwksUrl?: string;
  /**
   * Accepted algorithms.
   * @default ["HS256"] with a secret, ["RS256", "ES256"] with a public key or JWKS
   */
  algorithms?: string[];
  /** Required `iss` claim. */
  issuer?: string;
  /** Required `aud` claim. */
  audience?: string;
}

export interface HeartbeatOptions {
  /**
   * Milliseconds between server pings.
   * @default 25_000
   */
  interval: number;
  /**
   * Milliseconds to wait for a pong before closing with `heartbeat_timeout`.
   * @default 10_000
   */
  timeout: number;
}

export interface LimitOptions {
  /**
   * Connections this node holds at most; a `connect` over it is refused with
   * `too_many_connections` (close 4101).
   * @default Infinity
   */
  maxConnections: number;
  /**
   * Connections one user (the token's `sub`) may hold on this node (else 4101).
   * @default Infinity
   */
  maxConnectionsPerUser: number;
  /**
   * Connections one remote address (the TCP peer of the upgrade) may hold on this node (else
   * 4101). No limit by default here, unlike the standalone server (1000): only the app that
   * embeds the hub knows whether the addresses it sees are its clients' or one proxy's, and
   * behind a proxy any limit would count every client as one. Set it when clients connect
   * directly.
   * @default Infinity
   */
  maxConnectionsPerIp: number;
  /** @default 1000 */
  maxSubscriptions: number;
  /**
   * Largest inbound message in bytes; larger ones get `message_too_large`.
   * @default 65_536
   */
  maxMessageBytes: number;
  /**
   * Inbound frames per second per connection (token bucket refill).
   * @default 100
   */
  rate: number;
  /**
   * Token bucket size.
   * @default 200
   */
  burst: number;
  /**
   * Bytes queued for one connection before it counts as a slow consumer.
   * @default 1_048_576
   */
  queueBytes: number;
  /**
   * Milliseconds a new connection has to send its connect frame.
   * @default 10_000
   */
  connectTimeout: number;
}

/** The minimal logger the hub writes to (pino and console both fit). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What the hub core is configured with: everything of `HubOptions` but the parts the
 * composition root (`createHub`) resolves into objects (broker, transport, features).
 */
export interface CoreOptions {
  /**
   * WebSocket path when attaching to an http.Server.
   * @default "/ws"
   */
  path?: string;
  /** JWT verification; without it only anonymous connections are possible. */
  auth?: AuthOptions;
  /**
   * Accept connections without a token (userId null).
   * @default false
   */
  allowAnonymous?: boolean;
  /** Allowed `Origin` header values; any origin when absent. */
  allowedOrigins?: string[];
  /** Namespace policies, keyed by namespace (`""` is the default namespace of bare names). */
  namespaces?: Record<string, NamespaceOptions>;
  /**
   * Policy for namespaces not listed in `namespaces`; null rejects them with `unknown_namespace`.
   * @default null
   */
  defaultNamespace?: NamespaceOptions | null;
  /**
   * History of the personal channels (`$client:`, `$session:`, `$user:`, `$broadcast`).
   * @default { size: 100, ttl: 120_000 }
   */
  personalHistory?: Partial<HistoryOptions>;
  /**
   * Milliseconds an id an authenticated user chose for its session (`connect.sessionId`) stays
   * bound to that user after the session's last client left; until then no other identity can
   * join it. Renewed at every connect and while a client of the session is connected. At least
   * `personalHistory.ttl`, so a session's history never outlives its binding. Ids the hub
   * issues carry their binding in themselves and do not expire.
   * @default 86_400_000 (24 hours)
   */
  sessionTtl?: number;
  heartbeat?: Partial<HeartbeatOptions>;
  limits?: Partial<LimitOptions>;
  logger?: Logger;
}

export const DEFAULT_HISTORY: HistoryOptions = { size: 1000, ttl: 120_000 };
export const DEFAULT_PERSONAL_HISTORY: HistoryOptions = { size: 100, ttl: 120_000 };
/** Default of {@link CoreOptions.sessionTtl}: 24 hours. */
export const DEFAULT_SESSION_TTL = 86_400_000;
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { interval: 25_000, timeout: 10_000 };
export const DEFAULT_LIMITS: LimitOptions = {
  maxConnections: Number.POSITIVE_INFINITY,
  maxConnectionsPerUser: Number.POSITIVE_INFINITY,
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  maxSubscriptions: 1000,
  maxMessageBytes: 65_536,
  rate: 100,
  burst: 200,
  queueBytes: 1_048_576,
  connectTimeout: 10_000,
};

const noop = () => {};
/** A logger that drops everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
