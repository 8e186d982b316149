import type { Broker } from "./broker/broker.js";
import type { Logger } from "./options.js";
import type { Subscription } from "./subscription.js";

/** The local subscribers of one channel, and the broker subscription that feeds them. */
export interface ChannelEntry<C> {
  readonly subscribers: Map<C, Subscription>;
  /** Resolves once the broker delivers this channel's events to this node. */
  readonly ready: Promise<void>;
}

/**
 * Channel -> local subscribers. The node holds one broker subscription per channel, taken
 * with the first local subscriber and dropped with the last.
 */
export class Registry<C> {
  private readonly entries = new Map<string, ChannelEntry<C>>();
  private subscriptionCount = 0;

  constructor(
    private readonly broker: Broker,
    private readonly logger: Logger,
  ) {}

  /** Adds a subscriber; resolves when the broker feeds the channel to this node. */
  add(client: C, subscription: Subscription): Promise<void> {
    const channel = subscription.channel;
    let entry = this.entries.get(channel);
    if (!entry) {
      entry = { subscribers: new Map(), ready: this.broker.subscribe(channel) };
      this.entries.set(channel, entry);
    }
    if (!entry.subscribers.has(client)) this.subscriptionCount++;
    entry.subscribers.set(client, subscription);
    return entry.ready;
  }

  /** Removes a subscriber; the last one out drops the broker subscription. */
  remove(client: C, channel: string): boolean {
    const entry = this.entries.get(channel);
    if (!entry?.subscribers.delete(client)) return false;
    this.subscriptionCount--;
    if (entry.subscribers.size === 0) {
      this.entries.delete(channel);
      this.broker.unsubscribe(channel).catch((error: unknown) => {
        this.logger.warn({ err: error, channel }, "broker unsubscribe failed");
      });
    }
    return true;
  }

  /** The subscribers of `channel` on this node. */
  subscribers(channel: string): Map<C, Subscription> | undefined {
    return this.entries.get(channel)?.subscribers;
  }

  channels(): IterableIterator<[string, ChannelEntry<C>]> {
    return this.entries.entries();
  }

  get channelCount(): number {
    return this.entries.size;
  }

  get subscriptions(): number {
    return this.subscriptionCount;
  }
}
