import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ErrorCode, PublishResult } from "@switchyard/protocol";
import type { Broker, BrokerEvent, HistoryPage, HistoryQuery } from "../broker/broker.js";
import type { Jobs } from "../features/jobs/jobs.js";

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
}

/** Lifecycle events of `hub.on`. */
export interface HubEvents {
  connect: ClientInfo;
  disconnect: DisconnectInfo;
  subscribe: SubscriptionInfo;
  unsubscribe: SubscriptionInfo;
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
export interface Hub {
  readonly broker: Broker;
  /** Long-running jobs with progress, partial results and cancel (docs/jobs.md). */
  readonly jobs: Jobs;
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
   * before the event gets an offset.
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
