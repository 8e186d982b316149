import type { BrokerEvent } from "@switchyard/server";
import { decodeMessage } from "./encoding.js";
import type { RedisKeys } from "./keys.js";
import type { RedisClient } from "./redis-link.js";

/** What {@link Subscriptions} reports to the broker. */
export interface SubscriptionEvents {
  /** An event arrived on a channel this node wants. */
  deliver(event: BrokerEvent): void;
  /** This node may have missed events on these channels. */
  reset(channels: string[]): void;
  /** A message could not be decoded or delivered. */
  error(error: unknown): void;
}

interface Seen {
  epoch: string;
  offset: number;
}

/**
 * The node's channel subscriptions on the Redis subscriber connection: one Redis subscription
 * per channel, whatever the number of local clients. Changes to one channel run one after
 * another, so a quick unsubscribe/subscribe pair ends in the state asked last.
 *
 * Also watches for missed events: a channel whose events jump an offset or change epoch (its
 * history was lost while this node stayed connected, e.g. FLUSHALL or eviction) is reported
 * before that event is delivered; after the connection comes back every wanted channel is.
 */
export class Subscriptions {
  private readonly wanted = new Set<string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, Seen>();
  private readonly listener = (message: Buffer, name: Buffer) => this.receive(message, name);

  constructor(
    private readonly subscriber: RedisClient,
    private readonly keys: RedisKeys,
    private readonly events: SubscriptionEvents,
  ) {}

  /** The channels this node subscribed to. */
  channels(): string[] {
    return [...this.wanted];
  }

  has(channel: string): boolean {
    return this.wanted.has(channel);
  }

  /**
   * Subscribes to `channel` on Redis. While Redis is unreachable the channel is remembered,
   * subscribed once the connection is back and then reported as reset.
   */
  subscribe(channel: string): Promise<void> {
    if (this.wanted.has(channel)) return this.chains.get(channel) ?? Promise.resolve();
    this.wanted.add(channel);
    return this.chain(channel, async () => {
      if (!this.wanted.has(channel) || !this.subscriber.isReady) return;
      try {
        await this.subscriber.subscribe(this.keys.events(channel), this.listener, true);
      } catch (error) {
        // Dropped meanwhile: the restore subscribes it. Any other failure is the caller's.
        if (this.subscriber.isReady) {
          this.wanted.delete(channel);
          throw error;
        }
      }
    });
  }

  /** Drops the Redis subscription of `channel`. */
  unsubscribe(channel: string): Promise<void> {
    if (!this.wanted.delete(channel)) return this.chains.get(channel) ?? Promise.resolve();
    this.seen.delete(channel);
    return this.chain(channel, async () => {
      if (this.wanted.has(channel) || !this.subscriber.isReady) return;
      // Offline: node-redis resubscribes it on reconnect and the restore drops it again.
      await this.subscriber.unsubscribe(this.keys.events(channel)).catch(() => {});
    });
  }

  /**
   * After the subscriber connection came back: makes Redis' subscriptions match the wanted
   * channels, then reports them all, since events published meanwhile never reached this node.
   */
  async restore(): Promise<void> {
    this.seen.clear();
    const listening = this.subscriber.getPubSubListeners("CHANNELS");
    const work: Promise<void>[] = [];
    for (const name of listening.keys()) {
      const channel = this.keys.channelOf(name);
      if (channel !== undefined && !this.wanted.has(channel)) {
        work.push(this.chain(channel, () => this.dropIfUnwanted(channel)));
      }
    }
    for (const channel of this.wanted) {
      if (!listening.has(this.keys.events(channel))) {
        work.push(this.chain(channel, () => this.addIfWanted(channel)));
      }
    }
    await Promise.all(work);
    const channels = [...this.wanted];
    if (channels.length > 0) this.events.reset(channels);
  }

  /** Forgets every channel (the broker is closing). */
  clear(): void {
    this.wanted.clear();
    this.seen.clear();
  }

  private async addIfWanted(channel: string): Promise<void> {
    if (!this.wanted.has(channel)) return;
    await this.subscriber
      .subscribe(this.keys.events(channel), this.listener, true)
      .catch((error: unknown) => this.events.error(error));
  }

  private async dropIfUnwanted(channel: string): Promise<void> {
    if (this.wanted.has(channel)) return;
    await this.subscriber.unsubscribe(this.keys.events(channel)).catch(() => {});
  }

  private chain(channel: string, step: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(step);
    this.chains.set(channel, next);
    const forget = () => {
      if (this.chains.get(channel) === next) this.chains.delete(channel);
    };
    next.then(forget, forget);
    return next;
  }

  private receive(message: Buffer, name: Buffer): void {
    const channel = this.keys.channelOf(name.toString());
    if (channel === undefined || !this.wanted.has(channel)) return;
    let event: BrokerEvent;
    try {
      event = decodeMessage(channel, message);
    } catch (error) {
      this.events.error(error);
      return;
    }
    if (event.offset !== undefined && event.epoch !== undefined) {
      const before = this.seen.get(channel);
      this.seen.set(channel, { epoch: event.epoch, offset: event.offset });
      if (before && (before.epoch !== event.epoch || before.offset + 1 !== event.offset)) {
        this.events.reset([channel]);
      }
    }
    this.events.deliver(event);
  }
}
