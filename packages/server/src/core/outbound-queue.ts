import type { Codec } from "@switchyard/protocol";
import type { BrokerEvent } from "../broker/broker.js";
import { OutboundMessage } from "../transport/outbound-message.js";
import type { HubSocket } from "../transport/socket.js";
import { eventFrame } from "./event-frame.js";
import type { Flushable, FlushScheduler } from "./flush-scheduler.js";
import type { LimitOptions } from "./options.js";
import { ReplayQueue, type ReplaySink } from "./replay.js";
import type { HubCounters } from "./stats.js";
import type { Subscription } from "./subscription.js";

/** What an outbound queue needs of the hub. */
export interface OutboundContext {
  readonly limits: LimitOptions;
  readonly scheduler: FlushScheduler;
  readonly counters: HubCounters;
  /** Encodes a frame to bytes with `codec` (the one place frames become bytes). */
  encode(codec: Codec, frame: unknown): Uint8Array;
}

/** Above this many bytes in the socket's buffer, frames wait in our queue (where they can be conflated). */
const HIGH_WATER = 128 * 1024;
/** Marks a queue slot whose frame a newer conflated value replaced. */
const SUPERSEDED = new OutboundMessage(new Uint8Array(0), false);
/** An empty outbound queue (shared: a connection allocates its own array on its first frame). */
const EMPTY_QUEUE: OutboundMessage[] = [];
/** How soon a backed-up connection without a pending write callback looks at its socket again. */
const RETRY_MS = 50;

/**
 * The outbound half of a connection: its queue and backpressure. Every frame queued within
 * one tick goes out in one write (the flush scheduler calls `flush`); while the socket is
 * backed up, frames wait here, where a newer value of a conflated channel replaces the
 * superseded one. What the client may hold is capped: past `limits.queueBytes` (queue and
 * socket buffer together) a non-conflated frame makes the connection {@link overflow}, and
 * recovered events are paced by the room left ({@link ReplaySink}).
 *
 * A base class rather than a member object: one object per connection less, and connections
 * are what a hub has most of.
 */
export abstract class OutboundQueue implements Flushable, ReplaySink {
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
    protected readonly core: OutboundContext,
    protected readonly socket: HubSocket,
    readonly codec: Codec,
  ) {}

  /** False once the connection is closing: nothing more is queued. */
  protected abstract get sending(): boolean;
  /** False once the socket is gone: nothing more is written. */
  protected abstract get writable(): boolean;
  /** More than the cap waited: the client is a slow consumer. */
  protected abstract overflow(): void;
  /** True while `subscription` is the connection's current one for its channel. */
  protected abstract isCurrent(subscription: Subscription): boolean;

  /** Queues encoded bytes of one message for this client alone. */
  enqueue(bytes: Uint8Array): void {
    this.enqueueShared(new OutboundMessage(bytes, this.codec.binary));
  }

  /** Encodes and queues one frame. */
  send(frame: unknown): void {
    this.enqueue(this.core.encode(this.codec, frame));
  }

  /**
   * Queues a message that may be queued for other clients too (fan-out: encoded once).
   * `conflateKey` (set for conflated events) lets a newer value replace a queued, unsent one.
   */
  enqueueShared(message: OutboundMessage, conflateKey?: string): void {
    if (!this.sending) return;
    if (conflateKey === undefined) {
      if (this.queueBytes + this.buffered + message.length > this.core.limits.queueBytes) {
        this.overflow();
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
    if (!this.sending) return;
    this.push(
      new OutboundMessage(this.core.encode(this.codec, eventFrame(event)), this.codec.binary),
    );
  }

  goLive(subscription: Subscription): void {
    const pending = subscription.pending ?? [];
    subscription.pending = undefined;
    if (!this.isCurrent(subscription)) return;
    for (const event of pending) {
      if (event.offset !== undefined && event.offset <= subscription.floor) continue;
      this.send(eventFrame(event));
    }
  }

  /** Writes everything queued as one message (called by the flush scheduler). */
  flush(): void {
    this.scheduled = false;
    if (!this.writable) return;
    if (this.queue.length === 0) {
      if (this.replays?.active) this.replays.pump(this);
      return;
    }
    const buffered = this.socket.bufferedAmount;
    this.buffered = buffered;
    if (buffered > HIGH_WATER) {
      // Backed up: keep frames here, where conflation still works. A write callback resumes
      // us; bytes we did not write (the transport's framing, pongs) may have pushed the
      // buffer over without one, so then a short timer looks again.
      if (!this.awaitingWrite) this.retryLater();
      return;
    }
    const parts = this.superseded === 0 ? this.queue : this.queue.filter((p) => p !== SUPERSEDED);
    // One message per flush: the shared message itself, or a batch (shared with the
    // connections flushed just before when they queued the same frames, as fan-out does).
    const message =
      parts.length === 1 ? parts[0]! : this.core.scheduler.batches.batch(this.codec, parts);
    this.superseded = 0;
    this.queue = EMPTY_QUEUE;
    this.queueBytes = 0;
    this.conflated?.clear();
    this.core.counters.messagesOut.total += parts.length;
    if (buffered + message.length > HIGH_WATER) {
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

  /** Forgets what is queued (a slow consumer's close frame must not wait behind it). */
  protected dropQueue(): void {
    this.queue = EMPTY_QUEUE;
    this.queueBytes = 0;
  }

  /** The socket is gone: stops the timer and the replays, and drops the queue. */
  protected stopOutbound(): void {
    clearTimeout(this.retryTimer);
    this.replays?.clear();
    this.dropQueue();
  }
}
