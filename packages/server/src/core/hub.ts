import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import {
  type Codec,
  type ErrorCode,
  isValidId,
  PERSONAL,
  type PublishResult,
  SwitchyardError,
} from "@switchyard/protocol";
import type { Broker, BrokerEvent, HistoryPage, HistoryQuery } from "../broker/broker.js";
import { refusePlainRequest } from "../transport/plain-request.js";
import type { Transport } from "../transport/socket.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { bearerToken } from "./auth/bearer-token.js";
import { resolveSessionTtl, SessionBindings } from "./auth/sessions.js";
import { Connection } from "./connection.js";
import type { HubCore, RpcEntry } from "./core.js";
import { deliver } from "./delivery.js";
import { Emitter } from "./emitter.js";

import { FlushScheduler } from "./flush-scheduler.js";
import { Guards } from "./guards.js";
import { Heartbeat } from "./heartbeat.js";
import type {
  ChannelInfo,
  ClientInfo,
  CoreHub,
  DisconnectTarget,
  Feature,
  FeatureHost,
  HubEvents,
  HubStats,
  InstalledFeature,
  PublishOptions,
  RpcHandler,
} from "./hub-api.js";
import { newId } from "./ids.js";
import { ConnectionLimits } from "./limits/connection-limits.js";
import { Namespaces } from "./namespaces.js";
import {
  type CoreOptions,
  DEFAULT_HEARTBEAT,
  DEFAULT_LIMITS,
  DEFAULT_PERSONAL_HISTORY,
  type HeartbeatOptions,
  type LimitOptions,
  type Logger,
  silentLogger,
} from "./options.js";
import { publishChecked } from "./publish.js";
import { Registry } from "./registry.js";
import { handleRequest, resolveChannel } from "./requests.js";
import { HubCounters } from "./stats.js";

/** The subscribe reply's own fields, which features cannot add. */
const CORE_REPLY_FIELDS = new Set([
  "channel",
  "epoch",
  "offset",
  "recovered",
  "conflated",
  "snapshot",
]);

/** A message larger than this many times the inbound limit closes the socket (1009). */
const HARD_CEILING_FACTOR = 16;

function encode(codec: Codec, frame: unknown): Uint8Array {
  return codec.binary ? codec.encodeBytes(frame) : Buffer.from(JSON.stringify(frame));
}

function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  return bearerToken(request.headers.authorization) ?? url.searchParams.get("token") ?? undefined;
}

/** What the composition root (`createHub`) resolved for the core: objects, not names. */
export interface CoreParts {
  broker: Broker;
  /** The hub closes the broker on `close()` (it made it). */
  ownsBroker: boolean;
  transport: Transport;
}

/** One installed feature: its registrations, kept for the HTTP API, stats and close. */
interface FeatureRecord {
  readonly name: string;
  routes: InstalledFeature["routes"];
  openapi: InstalledFeature["openapi"];
  stats: (() => Record<string, number>) | undefined;
  close: (() => void | Promise<void>) | undefined;
}

/**
 * The hub core: connections, channels, namespaces, auth and limits, on the broker and the
 * transport it is given. It knows no feature: jobs, state and presence install themselves
 * through {@link Hub.use}.
 */
export class SwitchyardHub implements CoreHub {
  readonly broker: Broker;
  private readonly core: HubCore;
  private readonly installed: FeatureRecord[] = [];
  private readonly connections = new Set<Connection>();
  private readonly transport: Transport;
  private readonly heartbeat: Heartbeat;
  private readonly statsTimer: NodeJS.Timeout;
  private readonly started: Promise<void>;
  private readonly startedAt = Date.now();
  private readonly path: string;
  private readonly allowedOrigins: Set<string> | undefined;
  private readonly logger: Logger;
  private closing = false;
  private brokerStarted = false;
  private readonly ownsBroker: boolean;
  /** Resolves when the last connection is gone, while closing. */
  private drained: (() => void) | undefined;

  constructor(options: CoreOptions, parts: CoreParts) {
    const sessionTtl = resolveSessionTtl(
      options.sessionTtl,
      options.personalHistory?.ttl ?? DEFAULT_PERSONAL_HISTORY.ttl,
    );
    this.logger = options.logger ?? silentLogger;
    this.ownsBroker = parts.ownsBroker;
    this.broker = parts.broker;
    this.path = options.path ?? "/ws";
    this.allowedOrigins = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
    const limits: LimitOptions = { ...DEFAULT_LIMITS, ...options.limits };
    const heartbeat: HeartbeatOptions = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
    this.core = {
      broker: this.broker,
      registry: new Registry<Connection>(this.broker, this.logger),
      namespaces: new Namespaces(options),
      authenticator: createAuthenticator(options.auth, options.allowAnonymous ?? false),
      sessions: new SessionBindings({
        kv: this.broker.kv,
        ttl: sessionTtl,
        logger: this.logger,
        members: () => this.clients(),
        lost: (sessionId, userId) => {
          for (const connection of this.connections) {
            if (connection.sessionId === sessionId && connection.userId === userId) {
              connection.close("broker_reset");
            }
          }
        },
      }),
      connectionLimits: new ConnectionLimits(limits),
      counters: new HubCounters(),
      scheduler: new FlushScheduler(),
      emitter: new Emitter<HubEvents>(),
      logger: this.logger,
      rpcs: new Map<string, RpcEntry>(),
      replyFields: new Map(),
      guards: new Guards(),
      left: (connection) => {
        this.connections.delete(connection);
        if (this.connections.size === 0) this.drained?.();
      },
      limits,
      heartbeat,
      encode,
      handle: (connection, frame) => handleRequest(this.core, connection, frame),
    };
    this.transport = parts.transport;
    this.transport.bind({
      maxPayload: limits.maxMessageBytes * HARD_CEILING_FACTOR,
      check: (request) => this.checkUpgrade(request),
      accept: (socket, info) => {
        const url = new URL(info.request.url ?? "/", "http://hub");
        const connection = new Connection(this.core, socket, {
          clientId: newId(),
          ip: info.ip,
          codec: info.codec,
          upgrade: {
            token: tokenOf(info.request, url),
            sessionId: url.searchParams.get("sessionId") ?? undefined,
            parts: this.core.guards.upgradeParts(info.request),
          },
        });
        this.connections.add(connection);
        return connection;
      },
      onError: (error) => this.logger.debug({ err: error }, "socket error"),
    });
    const brokerStarted = this.broker.start((event) => deliver(this.core, event), {
      onReset: (channels) => this.reset(channels),
    });
    brokerStarted.then(
      () => {
        this.brokerStarted = true;
      },
      (error: unknown) => this.logger.error({ err: error }, "broker failed to start"),
    );
    this.transport.ready?.catch((error: unknown) =>
      this.logger.error({ err: error }, "the transport failed to load"),
    );
    this.started = Promise.all([brokerStarted, this.transport.ready]).then(() => undefined);
    // Reported above; callers of whenStarted() see the rejection themselves.
    this.started.catch(() => {});
    this.heartbeat = new Heartbeat(
      this.connections,
      { ...heartbeat, connectTimeout: limits.connectTimeout },
      encode,
    );
    this.statsTimer = setInterval(() => this.core.counters.tick(), 1000);
    this.statsTimer.unref();
  }

  use<Api>(feature: Feature<Api>): Api {
    if (this.installed.some((record) => record.name === feature.name)) {
      throw new Error(`A feature '${feature.name}' is installed already`);
    }
    const record: FeatureRecord = {
      name: feature.name,
      routes: [],
      openapi: undefined,
      stats: undefined,
      close: undefined,
    };
    const host: FeatureHost = {
      hub: this,
      logger: this.logger,
      namespace: (name, options) => this.core.namespaces.define(name, options),
      subscribeReply: (field, provide) => {
        if (CORE_REPLY_FIELDS.has(field) || this.core.replyFields.has(field)) {
          throw new Error(`The subscribe reply field '${field}' is taken`);
        }
        this.core.replyFields.set(field, provide);
      },
      authenticate: (authenticate, options) =>
        this.core.guards.addAuthenticator(authenticate, options),
      guardSubscribe: (guard) => {
        if (typeof guard !== "function") throw new TypeError("guardSubscribe needs a function");
        this.core.guards.subscribe.push(guard);
      },
      guardPublish: (guard) => {
        if (typeof guard !== "function") throw new TypeError("guardPublish needs a function");
        this.core.guards.publish.push(guard);
      },
      rpcPattern: (pattern, handler) => this.core.guards.addRpcPattern(pattern, handler),
      routes: (routes, openapi) => {
        record.routes = [...record.routes, ...routes];
        if (openapi !== undefined) record.openapi = openapi;
      },
      stats: (read) => {
        record.stats = read;
      },
      onClose: (close) => {
        record.close = close;
      },
      emit: (name, payload) => {
        this.core.emitter.emit("feature", { feature: feature.name, name, payload }, (error) =>
          this.logger.error({ err: error, feature: feature.name, name }, "feature listener failed"),
        );
      },
    };
    const api = feature.install(host);
    this.installed.push(record);
    return api;
  }

  features(): readonly InstalledFeature[] {
    return this.installed;
  }

  private checkUpgrade(request: IncomingMessage): SwitchyardError | null {
    if (this.closing) return new SwitchyardError("server_shutting_down");
    const origin = request.headers.origin;
    if (this.allowedOrigins && origin !== undefined && !this.allowedOrigins.has(origin)) {
      return new SwitchyardError("origin_not_allowed", `Origin '${origin}' is not allowed`);
    }
    return null;
  }

  /**
   * The broker may have missed events on `channels` (its link was down, or their history was
   * lost). Their subscribers reconnect and recover from their own positions, getting the exact
   * missed events or `recovered: false` — never a silent gap.
   */
  private reset(channels: string[]): void {
    for (const channel of channels) {
      const entry = this.core.registry.entry(channel);
      if (!entry) continue;
      this.logger.warn({ channel, subscribers: entry.size }, "channel reset by broker");
      for (const connection of entry.clients()) connection.close("broker_reset");
    }
  }

  whenStarted(): Promise<void> {
    return this.started;
  }

  attach(server: Server, options?: { path?: string }): void {
    const path = options?.path ?? this.path;
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (pathnameOf(request) === path) {
        this.handleUpgrade(request, socket, head);
      } else if (server.listenerCount("upgrade") === 1) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.transport.handleUpgrade(request, socket, head);
  }

  handleRequest(
    request: IncomingMessage,
    response: ServerResponse,
    options?: { path?: string },
  ): boolean {
    if (pathnameOf(request) !== (options?.path ?? this.path)) return false;
    refusePlainRequest(request, response);
    return true;
  }

  async publish(
    channel: string,
    event: string,
    data?: unknown,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    const namespace = resolveChannel(this.core, channel);
    // Publishing is a hot path: once the broker runs, skip the extra await.
    if (!this.brokerStarted) await this.started;
    return publishChecked(this.core, namespace, {
      channel,
      event,
      data,
      idempotencyKey: options?.idempotencyKey,
      ephemeral: options?.ephemeral,
      reserved: true,
    });
  }

  broadcast(event: string, data?: unknown): Promise<PublishResult> {
    return this.publish(PERSONAL.broadcast, event, data);
  }

  sendToClient(clientId: string, event: string, data?: unknown): Promise<PublishResult> {
    return this.publish(personal(PERSONAL.client, clientId, "clientId"), event, data);
  }

  sendToSession(sessionId: string, event: string, data?: unknown): Promise<PublishResult> {
    return this.publish(personal(PERSONAL.session, sessionId, "sessionId"), event, data);
  }

  sendToUser(userId: string, event: string, data?: unknown): Promise<PublishResult> {
    return this.publish(personal(PERSONAL.user, userId, "userId"), event, data);
  }

  rpc(
    method: string,
    schemaOrHandler: StandardSchemaV1 | RpcHandler<never, unknown>,
    handler?: RpcHandler<never, unknown>,
  ): void {
    if (this.core.rpcs.has(method)) throw new Error(`RPC method '${method}' is already registered`);
    const entry: RpcEntry =
      typeof schemaOrHandler === "function"
        ? { schema: undefined, handler: schemaOrHandler as RpcHandler }
        : { schema: schemaOrHandler, handler: handler as RpcHandler };
    if (typeof entry.handler !== "function") throw new TypeError("rpc() needs a handler function");
    this.core.rpcs.set(method, entry);
  }

  async listen(channel: string, listener: (event: BrokerEvent) => void): Promise<() => void> {
    resolveChannel(this.core, channel);
    await this.started;
    await this.core.registry.listen(channel, listener);
    return () => this.core.registry.unlisten(channel, listener);
  }

  on<K extends keyof HubEvents>(event: K, listener: (info: HubEvents[K]) => void): () => void {
    return this.core.emitter.on(event, listener);
  }

  disconnect(target: DisconnectTarget, code: ErrorCode = "disconnected"): number {
    let count = 0;
    for (const connection of this.connections) {
      if (
        (target.clientId !== undefined && connection.clientId === target.clientId) ||
        (target.sessionId !== undefined && connection.sessionId === target.sessionId) ||
        (target.userId !== undefined && connection.userId === target.userId)
      ) {
        connection.close(code);
        count++;
      }
    }
    return count;
  }

  async history(channel: string, query?: HistoryQuery): Promise<HistoryPage> {
    const namespace = resolveChannel(this.core, channel);
    if (!namespace.history) {
      throw new SwitchyardError("not_found", `Channel '${channel}' keeps no history`);
    }
    await this.started;
    return this.broker.history(channel, query);
  }

  channels(): ChannelInfo[] {
    const out: ChannelInfo[] = [];
    for (const [channel, entry] of this.core.registry.channels()) {
      out.push({ channel, subscribers: entry.size });
    }
    return out;
  }

  clients(): ClientInfo[] {
    const out: ClientInfo[] = [];
    for (const connection of this.connections) {
      if (connection.state === "open") out.push(connection.info);
    }
    return out;
  }

  stats(): HubStats {
    let queuedBytes = 0;
    for (const connection of this.connections) queuedBytes += connection.queuedBytes;
    const { counters, registry } = this.core;
    return {
      connections: this.connections.size,
      channels: registry.channelCount,
      subscriptions: registry.subscriptions,
      messagesIn: counters.messagesIn.snapshot(),
      messagesOut: counters.messagesOut.snapshot(),
      published: counters.published.snapshot(),
      queuedBytes,
      features: this.featureStats(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  private featureStats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const record of this.installed) if (record.stats) out[record.name] = record.stats();
    return out;
  }

  ready(): boolean {
    return !this.closing && this.broker.ready();
  }

  async close(options?: { timeout?: number }): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.connections.size > 0) {
      const drained = new Promise<void>((resolve) => {
        this.drained = resolve;
      });
      for (const connection of this.connections) connection.close("server_shutting_down");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options?.timeout ?? 5_000);
      });
      await Promise.race([drained, timeout]);
      clearTimeout(timer);
      for (const connection of this.connections) connection.terminate();
    }
    this.heartbeat.stop();
    this.core.sessions.stop();
    clearInterval(this.statsTimer);
    for (const record of this.installed) {
      try {
        await record.close?.();
      } catch (error) {
        this.logger.error({ err: error, feature: record.name }, "closing a feature failed");
      }
    }
    await this.started.catch(() => {});
    // A broker passed in belongs to the caller (it may outlive this hub, as in a restart).
    if (this.ownsBroker) await this.broker.close();
  }
}

function pathnameOf(request: IncomingMessage): string {
  return new URL(request.url ?? "/", "http://hub").pathname;
}

function personal(prefix: string, id: string, field: string): string {
  if (!isValidId(id)) throw new SwitchyardError("invalid_channel", `'${field}' is not a valid id`);
  return prefix + id;
}
