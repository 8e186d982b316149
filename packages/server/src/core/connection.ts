import {
  type Codec,
  closeCodeOf,
  ERRORS,
  type ErrorCode,
  type ErrorPayload,
  type RequestFrame,
  SwitchyardError,
} from "@switchyard/protocol";
import type { HubSocket, SocketHandler } from "../transport/socket.js";
import type { Identity } from "./auth/authenticator.js";
import type { Emitter } from "./emitter.js";
import type { UpgradeParts } from "./guards.js";
import type { ClientInfo, HubEvents } from "./hub-api.js";
import { Inbound, type InboundContext, type InboundOwner } from "./inbound.js";
import type { ConnectionLimits } from "./limits/connection-limits.js";
import { TokenBucket } from "./limits/token-bucket.js";
import { type OutboundContext, OutboundQueue } from "./outbound-queue.js";
import type { Registry } from "./registry.js";
import type { Subscription } from "./subscription.js";

/** What a connection needs of the hub (the hub core is one). */
export interface ConnectionContext extends OutboundContext, InboundContext {
  readonly registry: Registry<Connection>;
  readonly connectionLimits: ConnectionLimits;
  readonly emitter: Emitter<HubEvents>;
  /** The socket of `connection` closed: it leaves the hub (called once, by the connection). */
  left(connection: Connection): void;
  /** Handles one request of a connection (requests.ts); throws a SwitchyardError to refuse it. */
  handle(connection: Connection, frame: RequestFrame): Promise<void>;
}

/** The claims of a connection before `connect` (shared). */
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Where a connection is in its life, the one state machine of a client: `opening` until its
 * `connect` succeeds, `open`, `closing` once the hub or the client started the closing
 * handshake, `closed` once the socket is gone.
 */
export type ConnectionState = "opening" | "open" | "closing" | "closed";

/** What the upgrade request carried for `connect` (a token may be kilobytes: read once). */
export interface UpgradeCredentials {
  token: string | undefined;
  sessionId: string | undefined;
  /** The headers and cookies features asked for (`host.authenticate`), when any did. */
  parts?: UpgradeParts;
}

/**
 * One client: its identity, subscriptions and lifecycle, and the socket handler the transport
 * calls. Its outbound queue is the base class ({@link OutboundQueue}); its requests are read
 * and ordered by its {@link Inbound}. Every field other files read is a getter: the state
 * changes only through the methods below.
 */
export class Connection extends OutboundQueue implements SocketHandler, InboundOwner {
  readonly clientId: string;
  readonly ip: string;
  private currentState: ConnectionState = "opening";
  private session = "";
  private user: string | null = null;
  private tokenClaims: Readonly<Record<string, unknown>> = NO_CLAIMS;
  private tokenExpiresAt: number | null = null;
  /** What a feature deciding the connect said (undefined for JWT connections). */
  private decided: Pick<Identity, "info" | "meta" | "refresh"> | undefined;
  /** True while a feature extends the connection's life (its `refresh`). */
  private refreshing = false;
  private readonly channels = new Map<string, Subscription>();
  private upgrade: UpgradeCredentials | undefined;
  /** True once the connection holds a slot in the connection limits. */
  private holdsSlot = false;
  /** When the outstanding heartbeat ping was sent (0: none outstanding). */
  private pingSent = 0;
  /**
   * When the last heartbeat ping was sent; until the first one, when the socket opened (the
   * connect timeout counts from it: no ping goes out before `connect`).
   */
  private lastPing = Date.now();
  private closeReason: ErrorCode | undefined;
  /** Rate limits of the ephemeral events this client publishes, per channel (made on first use). */
  private ephemeralBuckets: Map<string, TokenBucket> | undefined;
  /** Reads, rate-limits and orders the client's requests. */
  private readonly inbound: Inbound;

  /** The base class's context, seen with the connection's wider needs. */
  declare protected readonly core: ConnectionContext;

  constructor(
    core: ConnectionContext,
    socket: HubSocket,
    init: { clientId: string; ip: string; codec: Codec; upgrade: UpgradeCredentials },
  ) {
    super(core, socket, init.codec);
    this.clientId = init.clientId;
    this.ip = init.ip;
    this.upgrade = init.upgrade;
    this.inbound = new Inbound(core, this);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The session joined at connect (empty before). */
  get sessionId(): string {
    return this.session;
  }

  /** The token's user; null for anonymous connections and before connect. */
  get userId(): string | null {
    return this.user;
  }

  /** The verified token claims (empty for anonymous connections). */
  get claims(): Readonly<Record<string, unknown>> {
    return this.tokenClaims;
  }

  /** The user's public info from a connect decision; undefined without one. */
  get userInfo(): unknown {
    return this.decided?.info;
  }

  /** When the token expires (ms since the Unix epoch); null when it does not. */
  get expiresAt(): number | null {
    return this.tokenExpiresAt;
  }

  /** When the outstanding heartbeat ping was sent; 0 when none is outstanding. */
  get pingSentAt(): number {
    return this.pingSent;
  }

  /** When the last heartbeat ping was sent (or the socket opened, before the first). */
  get lastPingAt(): number {
    return this.lastPing;
  }

  /** The channels this client is subscribed to, personal ones included. */
  get subscriptions(): ReadonlyMap<string, Subscription> {
    return this.channels;
  }

  // ------------------------------------------------------------------------------------
  // lifecycle: connect, refresh, subscriptions, heartbeat
  // ------------------------------------------------------------------------------------

  /** The session id the upgrade request's query asked for, until `connect` took it. */
  get upgradeSessionId(): string | undefined {
    return this.upgrade?.sessionId;
  }

  /** The credentials of the upgrade request, once: `connect` reads them, then they are dropped. */
  takeUpgradeCredentials(): UpgradeCredentials {
    const upgrade = this.upgrade ?? { token: undefined, sessionId: undefined };
    this.upgrade = undefined;
    return upgrade;
  }

  /**
   * `connect` authenticated the client and bound its session: it takes its place in the
   * connection limits (throwing `too_many_connections` when there is none) and its identity.
   * The connection stays `opening` until {@link open}.
   */
  identify(identity: Identity, sessionId: string): void {
    const refused = this.core.connectionLimits.tryAcquire({ userId: identity.userId, ip: this.ip });
    if (refused) throw refused;
    this.holdsSlot = true;
    this.user = identity.userId;
    this.tokenClaims = identity.claims;
    this.tokenExpiresAt = identity.expiresAt;
    this.session = sessionId;
    if (identity.info !== undefined || identity.meta !== undefined || identity.refresh) {
      this.decided = { info: identity.info, meta: identity.meta, refresh: identity.refresh };
    }
  }

  /** `connect` is done: the connection is open. */
  open(): void {
    if (this.currentState === "opening") this.currentState = "open";
  }

  /** A `refresh` replaced the token (same user). */
  refreshed(identity: Identity): void {
    this.tokenClaims = identity.claims;
    this.tokenExpiresAt = identity.expiresAt;
  }

  /**
   * The credentials lapsed (`expiresAt` passed): a feature that decided the connect extends
   * them (its `refresh`), else the connection closes with `token_expired`. A refusal closes it
   * with the refusal's close code.
   */
  expire(): void {
    const refresh = this.decided?.refresh;
    if (refresh === undefined) {
      this.close("token_expired");
      return;
    }
    if (this.refreshing) return;
    this.refreshing = true;
    refresh(this.info).then(
      ({ expiresAt }) => {
        this.refreshing = false;
        this.tokenExpiresAt = expiresAt;
        if (expiresAt !== null && expiresAt <= Date.now()) this.close("token_expired");
      },
      (error: unknown) => {
        this.refreshing = false;
        if (error instanceof SwitchyardError && closeCodeOf(error.code) !== undefined) {
          this.close(error.code, error.message);
        } else {
          this.core.logger.error({ err: error, clientId: this.clientId }, "refresh failed");
          this.close("token_expired");
        }
      },
    );
  }

  /** Adds or replaces the subscription of its channel. */
  subscribed(subscription: Subscription): void {
    this.channels.set(subscription.channel, subscription);
  }

  /** Forgets the subscription of `channel`; true when there was one. */
  unsubscribed(channel: string): boolean {
    return this.channels.delete(channel);
  }

  /** Takes one ephemeral publish on `channel` from its rate limit; false when over it. */
  takeEphemeral(channel: string, rate: number): boolean {
    this.ephemeralBuckets ??= new Map();
    let bucket = this.ephemeralBuckets.get(channel);
    if (bucket === undefined) {
      bucket = new TokenBucket(ephemeralPolicy(rate));
      this.ephemeralBuckets.set(channel, bucket);
    }
    return bucket.take() === "ok";
  }

  /** The heartbeat sent a ping now. */
  pinged(now: number): void {
    this.pingSent = now;
    this.lastPing = now;
  }

  /** Something arrived from the client: it is alive, whatever ping is outstanding. */
  heard(): void {
    this.pingSent = 0;
  }

  // ------------------------------------------------------------------------------------
  // inbound (inbound.ts reads and orders the requests)
  // ------------------------------------------------------------------------------------

  /** One inbound WebSocket message. */
  message(data: Buffer, binary: boolean): void {
    this.inbound.message(data, binary);
  }

  /** Runs one request of this client (requests.ts). */
  handle(frame: RequestFrame): Promise<void> {
    return this.core.handle(this, frame);
  }

  /** A WebSocket ping: whether to answer it (rate limit and queue cap, in {@link Inbound}). */
  ping(bytes: number): boolean {
    return this.inbound.ping(bytes);
  }

  // ------------------------------------------------------------------------------------
  // replies
  // ------------------------------------------------------------------------------------

  /**
   * Replies to request `id`. Never throws: a result the codec cannot carry (a BigInt in JSON,
   * a cycle) is logged and answered with `internal_error`, so the request still gets its one
   * reply.
   */
  reply(id: number, result: unknown): void {
    let bytes: Uint8Array;
    try {
      bytes = this.core.encode(this.codec, {
        type: "reply",
        id,
        result: result === undefined ? null : result,
      });
    } catch (error) {
      this.replyError(id, error);
      return;
    }
    this.enqueue(bytes);
  }

  /**
   * Replies with an error, or sends an error frame when the request had no usable id. Never
   * throws: `details` the codec cannot carry are logged and left out.
   */
  replyError(id: number | undefined, error: unknown): void {
    const payload = this.toPayload(error);
    const frame = (body: ErrorPayload) =>
      id === undefined ? { type: "error", error: body } : { type: "reply", id, error: body };
    let bytes: Uint8Array;
    try {
      bytes = this.core.encode(this.codec, frame(payload));
    } catch (failure) {
      this.core.logger.error({ err: failure, clientId: this.clientId }, "error details dropped");
      bytes = this.core.encode(this.codec, frame({ code: payload.code, message: payload.message }));
    }
    this.enqueue(bytes);
  }

  /** Turns anything thrown into the wire shape; unexpected errors are logged, not leaked. */
  toPayload(error: unknown): ErrorPayload {
    if (error instanceof SwitchyardError) return error.toPayload();
    this.core.logger.error({ err: error, clientId: this.clientId }, "request failed");
    return new SwitchyardError("internal_error").toPayload();
  }

  // ------------------------------------------------------------------------------------
  // outbound queue hooks
  // ------------------------------------------------------------------------------------

  protected get sending(): boolean {
    return this.currentState === "opening" || this.currentState === "open";
  }

  protected get writable(): boolean {
    return this.currentState !== "closed";
  }

  protected overflow(): void {
    this.close("slow_consumer");
  }

  protected isCurrent(subscription: Subscription): boolean {
    return this.channels.get(subscription.channel) === subscription;
  }

  // ------------------------------------------------------------------------------------
  // closing
  // ------------------------------------------------------------------------------------

  /**
   * Closes the connection with one of our error codes (its close code tells the client what
   * to do). The transport ends the socket when the client does not finish the handshake.
   */
  close(reason: ErrorCode, message?: string): void {
    if (!this.sending) return;
    if (reason === "slow_consumer") {
      // Dropped, not written: the close frame must not wait behind what the client could not
      // read in the first place.
      this.dropQueue();
    } else {
      this.flush();
    }
    this.currentState = "closing";
    this.closeReason = reason;
    this.socket.close(closeCodeOf(reason) ?? 1000, message ?? ERRORS[reason].message);
  }

  /** Called by the transport when the socket is gone: the connection leaves the hub. */
  closed(code: number): void {
    if (this.currentState === "closed") return;
    this.core.left(this);
    const wasOpen =
      this.currentState === "open" || (this.currentState === "closing" && this.session !== "");
    this.currentState = "closed";
    this.stopOutbound();
    for (const channel of this.channels.keys()) this.core.registry.remove(this, channel);
    if (this.holdsSlot) {
      this.core.connectionLimits.release({ userId: this.user, ip: this.ip });
      this.holdsSlot = false;
    }
    if (wasOpen) {
      const client = this.info;
      const report = (error: unknown) =>
        this.core.logger.error({ err: error }, "lifecycle listener failed");
      for (const channel of this.channels.keys()) {
        // Personal channels ($…) are joined without a subscribe event, so they leave without one.
        if (channel.startsWith("$")) continue;
        this.core.emitter.emit("unsubscribe", { client, channel }, report);
      }
      this.core.emitter.emit("disconnect", { client, code, reason: this.closeReason }, report);
    }
    this.channels.clear();
  }

  /** Destroys the socket at once (the hub's drain timed out). */
  terminate(): void {
    this.socket.terminate();
  }

  /** A snapshot of who this client is, for hooks, RPC handlers and listings. */
  get info(): ClientInfo {
    return {
      clientId: this.clientId,
      sessionId: this.session,
      userId: this.user,
      claims: this.tokenClaims,
      ip: this.ip,
      codec: this.codec.name,
      ...(this.decided === undefined ? {} : { info: this.decided.info, meta: this.decided.meta }),
    };
  }
}

/** One options object per rate, so the buckets of every connection share its settings. */
const ephemeralPolicies = new Map<number, { rate: number; burst: number }>();

function ephemeralPolicy(rate: number): { rate: number; burst: number } {
  let policy = ephemeralPolicies.get(rate);
  if (policy === undefined) {
    // A second's worth at once: a burst of drag events after a pause goes through.
    policy = { rate, burst: Math.max(1, rate) };
    ephemeralPolicies.set(rate, policy);
  }
  return policy;
}
