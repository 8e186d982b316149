import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ErrorCode, PublishResult } from "@switchyard/protocol";
import type { Broker, BrokerEvent, HistoryPage, HistoryQuery } from "../broker/broker.js";
import type { AccessContext, Logger, NamespaceOptions } from "./options.js";

/** A connected client as hooks and server code see it. */
export interface ClientInfo {
  readonly clientId: string;
  readonly sessionId: string;
  readonly userId: string | null;
  /** Verified token claims (empty for anonymous clients). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Remote address of the socket. */
  readonly ip: string;
  /** Codec name negotiated by subprotocol. */
  readonly codec: "json" | "msgpack";
  /**
   * What the feature that decided the connect (a connect proxy) said about the user, for
   * presence and other clients to see; undefined for JWT connections.
   */
  readonly info?: unknown;
  /** What that feature keeps about the connection for the server only; never sent to clients. */
  readonly meta?: unknown;
}

/** Why a client left: the close code and the matching error code when it is ours. */
export interface DisconnectInfo {
  client: ClientInfo;
  /** WebSocket close code (1000 normal, 1006 abnormal, 4xxx ours). */
  code: number;
  /** Our error code when the server closed the connection for a reason. */
  reason?: ErrorCode;
}

export interface SubscriptionInfo {
  client: ClientInfo;
  channel: string;
  /** What a subscribe guard attached to the subscription (a subscribe proxy's `info`). */
  info?: unknown;
}

/**
 * An event a feature announced with {@link FeatureHost.emit}, for other features and server
 * code to hear through `hub.on("feature", …)`: jobs announce how each job ended
 * (`completed`, `failed`, `cancelled`, with the job's `JobInfo`), and webhooks report them.
 */
export interface FeatureEvent {
  /** The name of the feature that emitted it (`jobs`). */
  feature: string;
  /** What happened, in the feature's words (`completed`). */
  name: string;
  /** What the feature tells about it (its shape is documented by the feature). */
  payload: unknown;
}

/** Lifecycle events of `hub.on`. */
export interface HubEvents {
  connect: ClientInfo;
  disconnect: DisconnectInfo;
  subscribe: SubscriptionInfo;
  unsubscribe: SubscriptionInfo;
  /** An installed feature's announcement ({@link FeatureHost.emit}). */
  feature: FeatureEvent;
}

/** The context an RPC handler receives. */
export interface RpcContext {
  client: ClientInfo;
  method: string;
}

export type RpcHandler<In = unknown, Out = unknown> = (
  data: In,
  context: RpcContext,
) => Out | Promise<Out>;

/** Which clients `hub.disconnect` closes (any one field). */
export interface DisconnectTarget {
  clientId?: string;
  sessionId?: string;
  userId?: string;
}

export interface PublishOptions {
  /**
   * A retried publish with the same key on the same channel within 2 minutes is dropped. With
   * a key, the result always says `duplicate` (`false` for the first publish).
   */
  idempotencyKey?: string;
  /**
   * Deliver live only: no offset, not kept in history, never replayed on recovery (a cursor,
   * a member joining).
   * @default false
   */
  ephemeral?: boolean;
}

/** Live figures of this hub node. */
export interface HubStats {
  connections: number;
  channels: number;
  subscriptions: number;
  messagesIn: { total: number; perSecond: number };
  messagesOut: { total: number; perSecond: number };
  /** Events published through this node. */
  published: { total: number; perSecond: number };
  /**
   * Bytes held for all clients and not yet written to the network: the hub's queues and the
   * sockets' write buffers (pongs and close frames included).
   */
  queuedBytes: number;
  uptimeSeconds: number;
  /** The figures of each installed feature that reports some, by feature name. */
  features: Record<string, Record<string, number>>;
}

export interface ChannelInfo {
  channel: string;
  /** Subscribers on this node. */
  subscribers: number;
}

/**
 * The hub: accepts WebSocket connections, routes events from publishers to subscribers
 * through the broker, and answers RPCs.
 */
export interface CoreHub {
  readonly broker: Broker;
  /**
   * Installs a feature (docs/architecture.md, "Adding a feature") and returns its API.
   * `createHub` installs the standard ones (jobs); a name may be installed once.
   */
  use<Api>(feature: Feature<Api>): Api;
  /** The installed features, with the HTTP routes they added (read by the HTTP API). */
  features(): readonly InstalledFeature[];
  /**
   * Routes WebSocket upgrades on `path` (default: the hub's `path` option, `/ws`) of `server`
   * to the hub; an upgrade to another path is answered 404 unless another `upgrade` listener
   * is there to take it.
   *
   * Node hands a request to the `upgrade` event only when it carries `Upgrade` and
   * `Connection: upgrade`. Every other request for the path (a `GET` with
   * `Connection: keep-alive`, a `POST`) reaches the server's request handler, which `attach`
   * cannot take it from: Node calls every `request` listener. Call {@link Hub.handleRequest}
   * first in that handler, so that those requests are refused as protocol.md says.
   *
   * @example
   * const server = http.createServer((request, response) => {
   *   if (hub.handleRequest(request, response)) return; // GET /ws without an upgrade: 400
   *   app(request, response);
   * });
   * hub.attach(server);
   */
  attach(server: Server, options?: { path?: string }): void;
  /** Handles one upgrade request (for servers that route upgrades themselves). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Answers a plain HTTP request (no WebSocket upgrade) for the hub's path as the refusal
   * table of protocol.md says, and returns true; returns false, answering nothing, for any
   * other path. Another method than `GET` gets 405 `method_not_allowed` with `Allow: GET`,
   * a `GET` 400 `invalid_upgrade`, each with the JSON error body, on both transports.
   * `path` defaults to the hub's `path` option; pass the one given to {@link Hub.attach} if
   * it differs.
   */
  handleRequest(
    request: IncomingMessage,
    response: ServerResponse,
    options?: { path?: string },
  ): boolean;
  /**
   * Publishes an event from server code (validated, never permission-checked). Resolves with
   * the event's `offset` and `epoch` on channels with history, and `duplicate` when
   * `options.idempotencyKey` is given. `data` must be JSON values, binary data as a
   * `Uint8Array` (docs/protocol.md, "Event data"); anything else rejects with `invalid_data`
   * before the event gets an offset. Server code may use event names starting with `$`, the
   * prefix reserved for features' own events (`$presence`): clients cannot publish those, and
   * the namespace's `events` schemas do not apply to them.
   */
  publish(
    channel: string,
    event: string,
    data?: unknown,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /** Publishes to every connected client (the `$broadcast` channel). */
  broadcast(event: string, data?: unknown): Promise<PublishResult>;
  sendToClient(clientId: string, event: string, data?: unknown): Promise<PublishResult>;
  sendToSession(sessionId: string, event: string, data?: unknown): Promise<PublishResult>;
  sendToUser(userId: string, event: string, data?: unknown): Promise<PublishResult>;
  /** Registers an RPC handler, optionally with a Standard Schema for its input. */
  rpc<In = unknown, Out = unknown>(method: string, handler: RpcHandler<In, Out>): void;
  rpc<S extends StandardSchemaV1, Out = unknown>(
    method: string,
    schema: S,
    handler: RpcHandler<StandardSchemaV1.InferOutput<S>, Out>,
  ): void;
  /**
   * Server code receives every event of `channel` on this node, wherever it was published
   * (any node, any client, the HTTP API). Resolves, once the broker feeds the channel to this
   * node, with the function that stops listening.
   */
  listen(channel: string, listener: (event: BrokerEvent) => void): Promise<() => void>;
  /** Listens to a lifecycle event; returns the function that stops listening. */
  on<K extends keyof HubEvents>(event: K, listener: (info: HubEvents[K]) => void): () => void;
  /** Closes the matching clients on this node with `disconnected` (or `code`). */
  disconnect(target: DisconnectTarget, code?: ErrorCode): number;
  /** A page of a channel's history. */
  history(channel: string, query?: HistoryQuery): Promise<HistoryPage>;
  /** Channels with subscribers on this node. */
  channels(): ChannelInfo[];
  /** The connected clients of this node. */
  clients(): ClientInfo[];
  stats(): HubStats;
  /** Resolves once the broker started; rejects when it could not (e.g. Redis unreachable). */
  whenStarted(): Promise<void>;
  /** True while the hub accepts connections and its broker is ready. */
  ready(): boolean;
  /**
   * Stops accepting connections, closes every client with `server_shutting_down` (reconnect
   * now), waits up to `timeout` ms for them to go, then closes the broker if the hub created
   * it (a broker passed in `options.broker` is the caller's to close).
   */
  close(options?: { timeout?: number }): Promise<void>;
}

// ------------------------------------------------------------------------------------
// the feature seam: what a feature registers through `hub.use` (docs/architecture.md)
// ------------------------------------------------------------------------------------

/** A JSON value, as OpenAPI fragments are written. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What a feature's HTTP route sees of a request. */
export interface FeatureRequest {
  /** The `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  /** One query parameter, undefined when absent. */
  query(name: string): string | undefined;
  /** The request body as text (the HTTP API has checked its size). */
  text(): Promise<string>;
}

/**
 * One route a feature adds to the HTTP API. The HTTP API mounts it behind its API key and body
 * limit, answers its result as JSON (status 200), and turns a thrown `SwitchyardError` into
 * the error response of its code, like every other route.
 */
export interface FeatureRoute {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path, with `:name` segments (`/api/jobs/:id/progress`). */
  readonly path: string;
  handle(request: FeatureRequest): Promise<unknown>;
}

/** The part of the OpenAPI document that describes a feature's routes. */
export interface OpenApiFragment {
  readonly paths: Record<string, Record<string, Json>>;
  readonly schemas?: Record<string, Json>;
  readonly responses?: Record<string, Json>;
  /**
   * Requests the hub sends the application's backend (OpenAPI 3.1 `webhooks`), by name: the
   * webhook bodies, the proxies' requests.
   */
  readonly webhooks?: Record<string, Json>;
}

/** What a feature deciding connects sees of a connecting client ({@link FeatureHost.authenticate}). */
export interface ConnectRequest {
  /** The id the client will have. */
  readonly clientId: string;
  /** The token of the connect frame or of the upgrade request, when one came. */
  readonly token: string | undefined;
  /** The connect frame's `data` (any JSON the application's client sent). */
  readonly data: unknown;
  /** The connect frame's `sdk` (`@switchyard/client@0.1.0`), when sent. */
  readonly sdk: string | undefined;
  /** The upgrade request's headers named in the registration's `headers` (lower case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The upgrade request's cookies named in the registration's `cookies`. */
  readonly cookies: Readonly<Record<string, string>>;
  /** Remote address of the socket. */
  readonly ip: string;
  readonly codec: "json" | "msgpack";
}

/** Who a connecting client is, as a feature deciding connects answers. */
export interface ConnectIdentity {
  /** The user (1–128 characters of `A-Z a-z 0-9 _ . @ | : -`), or null for anonymous. */
  userId: string | null;
  /** Public facts about the user (a name, an avatar), in `ClientInfo.info` and presence. */
  info?: unknown;
  /** Server-side facts about the connection, in `ClientInfo.meta`; never sent to clients. */
  meta?: unknown;
  /**
   * Channels the client joins at connect without asking (server-side subscriptions): their
   * positions are in the connect result's `channels`, their events arrive like any other.
   */
  channels?: readonly string[];
  /**
   * When the connection's credentials lapse (ms since the Unix epoch); null or absent: never.
   * Then `refresh` is called, or without one the connection is closed with `token_expired`.
   */
  expiresAt?: number | null;
  /**
   * Extends the connection's life at `expiresAt`: resolves with the next expiry, or rejects
   * (a `SwitchyardError` with a close code closes with it, anything else with `token_expired`).
   */
  refresh?: (client: ClientInfo) => Promise<{ expiresAt: number | null }>;
}

/** Decides a connect: an identity, undefined to leave it to the next one (and last, the JWT check), or throws a `SwitchyardError` to refuse it. */
export type Authenticate = (
  request: ConnectRequest,
) => ConnectIdentity | undefined | Promise<ConnectIdentity | undefined>;

/** Which parts of the upgrade request a connect decision may read (nothing by default). */
export interface AuthenticateOptions {
  /**
   * Header names (any case) copied from the upgrade request into {@link ConnectRequest.headers}.
   * @default []
   */
  headers?: readonly string[];
  /**
   * Cookie names copied from the upgrade request's `Cookie` header into
   * {@link ConnectRequest.cookies}.
   * @default []
   */
  cookies?: readonly string[];
}

/** A client's subscribe, as a subscribe guard sees it (after the namespace's rule allowed it). */
export interface SubscribeRequest {
  readonly client: ClientInfo;
  readonly channel: string;
  /** The channel's namespace (`sim` for `sim:42`). */
  readonly namespace: string;
}

/**
 * Allows a subscribe (returning nothing, or `{ info }` to attach to the subscription) or refuses
 * it by throwing a `SwitchyardError`.
 */
export type SubscribeGuard = (
  request: SubscribeRequest,
) => undefined | { info?: unknown } | Promise<undefined | { info?: unknown }>;

/** A client's publish, as a publish guard sees it (after the namespace's rule allowed it). */
export interface PublishRequest {
  readonly client: ClientInfo;
  readonly channel: string;
  readonly namespace: string;
  readonly event: string;
  readonly data: unknown;
}

/**
 * Allows a client publish (returning nothing), replaces its data (returning `{ data }`), or
 * refuses it by throwing a `SwitchyardError`. The replaced data still passes the namespace's
 * schema and the event data rules.
 */
export type PublishGuard = (
  request: PublishRequest,
) => undefined | { data: unknown } | Promise<undefined | { data: unknown }>;

/** What a feature gets to build itself on: the hub's public surface and its registrations. */
export interface FeatureHost {
  /** The hub: publish, RPCs (`hub.rpc`), lifecycle events (`hub.on`), `listen`, the broker. */
  readonly hub: CoreHub;
  /** The hub's logger. */
  readonly logger: Logger;
  /**
   * Declares a namespace the feature owns (its access rules, history, conflation, snapshot
   * provider). A namespace of the same name in the hub's `namespaces` option is laid over it
   * field by field: the application's rules win, the feature's other fields stay.
   */
  namespace(name: string, options: NamespaceOptions): void;
  /**
   * Adds `field` to the subscribe replies of the channels for which `provide` answers
   * something other than undefined (presence adds the channel's members). Called after the
   * subscription is registered, like a namespace's snapshot. The core's own reply fields
   * (`channel`, `epoch`, `offset`, `recovered`, `conflated`, `snapshot`) cannot be taken.
   */
  subscribeReply(field: string, provide: (context: AccessContext) => unknown): void;
  /**
   * Lets the feature decide connects: called in registration order for every `connect`, the
   * first identity returned wins; when every one returns undefined, the token is checked as a
   * JWT (the `auth` option). Only the headers and cookies named in `options` are read from
   * the upgrade request.
   */
  authenticate(authenticate: Authenticate, options?: AuthenticateOptions): void;
  /** Adds a check to every client subscribe, after the namespace's rule (both must allow). */
  guardSubscribe(guard: SubscribeGuard): void;
  /** Adds a check (or a transformation) to every client publish, after the namespace's rule. */
  guardPublish(guard: PublishGuard): void;
  /**
   * Answers the RPC methods matching `pattern` (`*` matches any run of characters: `sim.*`;
   * or a list of them) that have no handler of their own (`hub.rpc` wins).
   */
  rpcPattern(pattern: string | readonly string[], handler: RpcHandler): void;
  /** Adds HTTP routes to the hub's HTTP API, with the OpenAPI fragment that describes them. */
  routes(routes: readonly FeatureRoute[], openapi?: OpenApiFragment): void;
  /** Figures for `hub.stats().features[<feature name>]`, read at every `stats()` call. */
  stats(read: () => Record<string, number>): void;
  /** Called by `hub.close()` once the clients are gone, before the broker closes. */
  onClose(close: () => void | Promise<void>): void;
  /**
   * Announces `name` with `payload` to every `hub.on("feature", …)` listener of this node, as
   * `{ feature: <this feature's name>, name, payload }`, synchronously. A throwing listener is
   * logged, never thrown to the feature. Document the names and payloads your feature emits.
   */
  emit(name: string, payload: unknown): void;
}

/**
 * A feature built on the hub's public seam: jobs, synced state, presence — or one of yours.
 * `hub.use(feature)` installs it once and returns what `install` returns (its API).
 *
 * @example
 * const uptime: Feature<{ since: number }> = {
 *   name: "uptime",
 *   install(host) {
 *     const since = Date.now();
 *     host.hub.rpc("uptime.get", () => ({ since }));
 *     host.stats(() => ({ seconds: Math.round((Date.now() - since) / 1000) }));
 *     return { since };
 *   },
 * };
 * const { since } = hub.use(uptime);
 */
export interface Feature<Api = void> {
  /** Unique among a hub's features; names its figures in `stats().features`. */
  readonly name: string;
  install(host: FeatureHost): Api;
}

/** What a hub knows of one installed feature (read by the HTTP API to mount its routes). */
export interface InstalledFeature {
  readonly name: string;
  readonly routes: readonly FeatureRoute[];
  readonly openapi: OpenApiFragment | undefined;
}
