import {
  type Codec,
  closeCodeOf,
  ERRORS,
  type ErrorCode,
  type ErrorPayload,
  SwitchyardError,
} from "@switchyard/protocol";
import type { BrokerEvent } from "../broker/broker.js";
import { OutboundMessage } from "../transport/outbound-message.js";
import type { HubSocket, SocketHandler } from "../transport/socket.js";
import type { HubCore } from "./core.js";
import { eventFrame } from "./event-frame.js";
import type { ClientInfo } from "./hub-api.js";
import { Inbound } from "./inbound.js";
import { ReplayQueue, type ReplaySink } from "./replay.js";
import type { Subscription } from "./subscription.js";

/** Above this many bytes in the socket's buffer, frames wait in our queue (where they can be conflated). */
const HIGH_WATER = 128 * 1024;
/** Largest WebSocket frame header: counted so a write that crosses the mark always asks to be told. */
const FRAME_OVERHEAD = 14;
/** Marks a queue slot whose frame a newer conflated value replaced. */
const SUPERSEDED = new OutboundMessage(new Uint8Array(0), false);
/** An empty outbound queue (shared: a connection allocates its own array on its first frame). */
const EMPTY_QUEUE: OutboundMessage[] = [];
/** The claims of a connection before `connect` (shared). */
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});
/** How soon a backed-up connection without a pending write callback looks at its socket again. */
const RETRY_MS = 50;
/**
 * How long the peer has to answer our close frame once it has left the process, before the
 * socket is destroyed.
 */
const CLOSE_GRACE_MS = 3_000;
/**
 * How long a close frame may wait behind bytes the peer has not read yet (a client that stopped
 * reading) before the socket is destroyed without it. Within it, a client that reads again
 * reaches the close frame and learns its code; meanwhile it holds only the bytes already handed
 * to the socket, which the queue cap bounds.
 */
export const CLOSE_CEILING_MS = 30_000;

/** Where a connection is in its life. */
export type ConnectionState = "opening" | "open" | "closing" | "closed";

/**
 * One client: its identity, subscriptions and outbound queue, and the socket handler the
 * transport calls; its requests are read and ordered by its {@link Inbound}.
 * The outbound queue coalesces every frame queued within one tick into one write, and caps
 * what a slow client may hold: superseded values of conflated channels are replaced, anything
 * else past the cap closes the client with `slow_consumer` so it recovers from history.
 */
export class Connection implements SocketHandler, ReplaySink {
  readonly clientId: string;
  sessionId = "";
  userId: string | null = null;
  claims: Readonly<Record<string, unknown>> = NO_CLAIMS;
  expiresAt: number | null = null;
  readonly ip: string;
  readonly codec: Codec;
  readonly subscriptions = new Map<string, Subscription>();
  /**
   * Token from the upgrade request (query or header), used when `connect` carries none.
   * Dropped once `connect` has read it: a token may be kilobytes, kept for nothing.
   */
  upgradeToken: string | undefined;
  /** Session id from the upgrade request's query; dropped like the token. */
  upgradeSessionId: string | undefined;
  /** True once the connection holds a slot in the connection limits. */
  holdsSlot = false;

  state: ConnectionState = "opening";
  /** When the outstanding heartbeat ping was sent (0: none outstanding). */
  pingSentAt = 0;
  /**
   * When the last heartbeat ping was sent; until the first one, when the socket opened (the
   * connect timeout counts from it: no ping goes out before `connect`).
   */
  lastPingAt = Date.now();

  private closeReason: ErrorCode | undefined;
  /** Reads, rate-limits and orders the client's requests. */
  private readonly inbound: Inbound;
  private queue: OutboundMessage[] = EMPTY_QUEUE;
  private queueBytes = 0;
  /** Index in `queue` of the pending frame of each conflation key. */
  private conflated: Map<string, number> | undefined;
  /** Slots of `queue` emptied by conflation. */
  private superseded = 0;
  private scheduled = false;
  /** Socket buffer size right after the last flush (an upper bound until the next). */
  private buffered = 0;
  /** A send with a write callback is outstanding. */
  private awaitingWrite = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Created by the first replay: most connections never replay. */
  private replays: ReplayQueue | undefined;
  /** Created the first time the socket backs up. */
  private onWritten: (() => void) | undefined;

  constructor(
    private readonly core: HubCore,
    private readonly socket: HubSocket,
    init: {
      clientId: string;
      ip: string;
      codec: Codec;
      token: string | undefined;
      sessionId: string | undefined;
    },
  ) {
    this.clientId = init.clientId;
    this.ip = init.ip;
    this.codec = init.codec;
    this.upgradeToken = init.token;
    this.upgradeSessionId = init.sessionId;
    this.inbound = new Inbound(core, this);
  }

  // ------------------------------------------------------------------------------------
  // outbound
  // ------------------------------------------------------------------------------------

  /** Queues encoded bytes of one message for this client alone. */
  enqueue(bytes: Uint8Array): void {
    this.enqueueShared(new OutboundMessage(bytes, this.codec.binary));
  }

  /**
   * Queues a message that may be queued for other clients too (fan-out: encoded and framed
   * once). `conflateKey` (set for conflated events) lets a newer value replace a queued,
   * unsent one.
   */
  enqueueShared(message: OutboundMessage, conflateKey?: string): void {
    if (this.state === "closing" || this.state === "closed") return;
    if (conflateKey === undefined) {
      if (this.queueBytes + this.buffered + message.length > this.core.limits.queueBytes) {
        this.close("slow_consumer");
        return;
      }
    } else {
      // At most one pending value per key, so conflated frames need no cap of their own.
      this.conflated ??= new Map();
      const at = this.conflated.get(conflateKey);
      if (at !== undefined) {
        // Drop the superseded value and queue the new one at the end, so events of a
        // channel still go out in offset order.
        this.queueBytes -= this.queue[at]!.length;
        this.queue[at] = SUPERSEDED;
        this.superseded++;
      }
      this.conflated.set(conflateKey, this.queue.length);
    }
    this.push(message);
  }

  private push(message: OutboundMessage): void {
    if (this.queue === EMPTY_QUEUE) this.queue = [message];
    else this.queue.push(message);
    this.queueBytes += message.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.core.scheduler.schedule(this);
    }
  }

  /**
   * Sends recovered events of `subscription`, paced by the room in the queue, then its live
   * events buffered meanwhile.
   */
  replay(subscription: Subscription, events: readonly BrokerEvent[]): void {
    if (events.length === 0 && !this.replays?.active) {
      // Nothing to replay (most subscriptions): no queue object for the connection.
      this.goLive(subscription);
      return;
    }
    this.replays ??= new ReplayQueue();
    this.replays.add(subscription, events);
    this.replays.pump(this);
  }

  hasRoom(): boolean {
    if (this.queueBytes === 0) return this.socket.bufferedAmount <= HIGH_WATER;
    return this.queueBytes + this.socket.bufferedAmount < this.core.limits.queueBytes / 2;
  }

  sendReplayed(event: BrokerEvent): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.push(
      new OutboundMessage(this.core.encode(this.codec, eventFrame(event)), this.codec.binary),
    );
  }

  goLive(subscription: Subscription): void {
    const pending = subscription.pending ?? [];
    subscription.pending = undefined;
    if (this.subscriptions.get(subscription.channel) !== subscription) return;
    for (const event of pending) {
      if (event.offset !== undefined && event.offset <= subscription.floor) continue;
      this.send(eventFrame(event));
    }
  }

  /** Encodes and queues one frame. */
  send(frame: unknown): void {
    this.enqueue(this.core.encode(this.codec, frame));
  }

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

  /** Writes everything queued as one message (called by the flush scheduler). */
  flush(): void {
    this.scheduled = false;
    if (this.state === "closed") return;
    if (this.queue.length === 0) {
      if (this.replays?.active) this.replays.pump(this);
      return;
    }
    const buffered = this.socket.bufferedAmount;
    this.buffered = buffered;
    if (buffered > HIGH_WATER) {
      // Backed up: keep frames here, where conflation still works. A write callback resumes
      // us; bytes we did not write (frame headers, pongs to protocol pings) may have pushed
      // the buffer over without one, so then a short timer looks again.
      if (!this.awaitingWrite) this.retryLater();
      return;
    }
    const parts = this.superseded === 0 ? this.queue : this.queue.filter((p) => p !== SUPERSEDED);
    // One message per flush: the shared frame itself, or a batch (shared with the connections
    // flushed just before when they queued the same frames, as fan-out does).
    const message =
      parts.length === 1 ? parts[0]! : this.core.scheduler.batches.batch(this.codec, parts);
    this.superseded = 0;
    this.queue = EMPTY_QUEUE;
    this.queueBytes = 0;
    this.conflated?.clear();
    this.core.counters.messagesOut.total += parts.length;
    if (buffered + message.length + FRAME_OVERHEAD > HIGH_WATER) {
      this.awaitingWrite = true;
      this.onWritten ??= () => {
        this.awaitingWrite = false;
        this.buffered = this.socket.bufferedAmount;
        this.resume();
      };
      this.socket.send(message, this.onWritten);
    } else {
      this.socket.send(message);
    }
    // What the socket holds now: until the next flush it only shrinks, so the queue cap checks
    // against it count every byte held for this client.
    this.buffered = this.socket.bufferedAmount;
    if (this.replays?.active) this.replays.pump(this);
  }

  private resume(): void {
    if ((this.queue.length > 0 || this.replays?.active) && !this.scheduled) {
      this.scheduled = true;
      this.core.scheduler.schedule(this);
    }
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.resume();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** Bytes held for this client and not yet written to the network: queued here or in the socket. */
  get queuedBytes(): number {
    return this.queueBytes + this.socket.bufferedAmount;
  }

  // ------------------------------------------------------------------------------------
  // inbound (inbound.ts reads and orders the requests)
  // ------------------------------------------------------------------------------------

  /** One inbound WebSocket message. */
  message(data: Buffer, binary: boolean): void {
    this.inbound.message(data, binary);
  }

  /** A WebSocket ping: whether to answer it (rate limit and queue cap, in {@link Inbound}). */
  ping(bytes: number): boolean {
    return this.inbound.ping(bytes);
  }

  // ------------------------------------------------------------------------------------
  // closing
  // ------------------------------------------------------------------------------------

  /** Closes the connection with one of our error codes (its close code tells the client what to do). */
  close(reason: ErrorCode, message?: string): void {
    if (this.state === "closing" || this.state === "closed") return;
    const closeCode = closeCodeOf(reason) ?? 1000;
    if (reason === "slow_consumer") {
      // Dropped, not written: the close frame must not wait behind what the client could not
      // read in the first place.
      this.queue = EMPTY_QUEUE;
      this.queueBytes = 0;
    } else {
      this.flush();
    }
    this.state = "closing";
    this.closeReason = reason;
    this.socket.close(closeCode, truncateReason(message ?? ERRORS[reason].message));
    const flushed = this.socket.bufferedAmount === 0;
    setTimeout(closeGrace, CLOSE_GRACE_MS, this, Date.now(), flushed).unref();
  }

  /**
   * Destroys the socket of a closing connection whose peer did not finish the closing
   * handshake: {@link CLOSE_GRACE_MS} after the close frame left the process, or at
   * {@link CLOSE_CEILING_MS} when it never could (the peer does not read). `flushed`: the
   * close frame had left when this check was scheduled.
   */
  expireClose(closingSince: number, flushed: boolean): void {
    if (this.state === "closed") return;
    const now = Date.now();
    if (!flushed && now - closingSince < CLOSE_CEILING_MS) {
      // The close frame is in the socket's buffer until bufferedAmount reaches 0.
      const written = this.socket.bufferedAmount === 0;
      setTimeout(closeGrace, CLOSE_GRACE_MS, this, closingSince, written).unref();
      return;
    }
    this.socket.terminate();
  }

  /** Called by the transport when the socket is gone: the connection leaves the hub. */
  closed(code: number): void {
    if (this.state === "closed") return;
    this.core.left(this);
    const wasOpen = this.state === "open" || (this.state === "closing" && this.sessionId !== "");
    this.state = "closed";
    clearTimeout(this.retryTimer);
    this.replays?.clear();
    this.queue = EMPTY_QUEUE;
    this.queueBytes = 0;
    for (const channel of this.subscriptions.keys()) this.core.registry.remove(this, channel);
    if (this.holdsSlot) {
      this.core.connectionLimits.release({ userId: this.userId, ip: this.ip });
      this.holdsSlot = false;
    }
    if (wasOpen) {
      const client = this.info;
      const report = (error: unknown) =>
        this.core.logger.error({ err: error }, "lifecycle listener failed");
      for (const channel of this.subscriptions.keys()) {
        // Personal channels ($…) are joined without a subscribe event, so they leave without one.
        if (channel.startsWith("$")) continue;
        this.core.emitter.emit("unsubscribe", { client, channel }, report);
      }
      this.core.emitter.emit("disconnect", { client, code, reason: this.closeReason }, report);
    }
    this.subscriptions.clear();
  }

  /** Destroys the socket at once (after a close that was not answered in time). */
  terminate(): void {
    this.socket.terminate();
  }

  /** A snapshot of who this client is, for hooks, RPC handlers and listings. */
  get info(): ClientInfo {
    return {
      clientId: this.clientId,
      sessionId: this.sessionId,
      userId: this.userId,
      claims: this.claims,
      ip: this.ip,
      codec: this.codec.name,
    };
  }

  /** Turns anything thrown into the wire shape; unexpected errors are logged, not leaked. */
  toPayload(error: unknown): ErrorPayload {
    if (error instanceof SwitchyardError) return error.toPayload();
    this.core.logger.error({ err: error, clientId: this.clientId }, "request failed");
    return new SwitchyardError("internal_error").toPayload();
  }
}

function closeGrace(connection: Connection, closingSince: number, flushed: boolean): void {
  connection.expireClose(closingSince, flushed);
}

function truncateReason(reason: string): string {
  // A close reason may hold at most 123 bytes of UTF-8.
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}
