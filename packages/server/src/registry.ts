import type { Broker, BrokerEvent } from "./broker/broker.js";
import type { Logger } from "./options.js";
import type { Subscription } from "./subscription.js";

/** Server code listening to a channel on this node (`hub.listen`). */
export type ChannelListener = (event: BrokerEvent) => void;

/** The local subscribers of one channel, and the broker subscription that feeds them. */
export interface ChannelEntry<C> {
  readonly subscribers: Map<C, Subscription>;
  /** Server-side listeners on this node (created with the first one: most channels have none). */
  listeners: Set<ChannelListener> | undefined;
  /** Resolves once the broker delivers this channel's events to this node. */
  readonly ready: Promise<void>;
}

/**
 * Channel -> local subscribers (clients) and listeners (server code). The node holds one
 * broker subscription per channel, taken with the first local subscriber or listener and
 * dropped with the last.
 */
export class Registry<C> {
  private readonly entries = new Map<string, ChannelEntry<C>>();
  private subscriptionCount = 0;

  constructor(
    private readonly broker: Broker,
    private readonly logger: Logger,
  ) {}

  private open(channel: string): ChannelEntry<C> {
    let entry = this.entries.get(channel);
    if (!entry) {
      entry = {
        subscribers: new Map(),
        listeners: undefined,
        ready: this.broker.subscribe(channel),
      };
      // A failed broker subscription surfaces to whoever awaits `ready`; never unhandled.
      entry.ready.catch(() => {});
      this.entries.set(channel, entry);
    }
    return entry;
  }

  private closeIfEmpty(channel: string, entry: ChannelEntry<C>): void {
    if (entry.subscribers.size > 0 || (entry.listeners?.size ?? 0) > 0) return;
    this.entries.delete(channel);
    this.broker.unsubscribe(channel).catch((error: unknown) => {
      this.logger.warn({ err: error, channel }, "broker unsubscribe failed");
    });
  }

  /** Adds a subscriber; resolves when the broker feeds the channel to this node. */
  add(client: C, subscription: Subscription): Promise<void> {
    const entry = this.open(subscription.channel);
    if (!entry.subscribers.has(client)) this.subscriptionCount++;
    entry.subscribers.set(client, subscription);
    return entry.ready;
  }

  /** Removes a subscriber; the last one out drops the broker subscription. */
  remove(client: C, channel: string): boolean {
    const entry = this.entries.get(channel);
    if (!entry?.subscribers.delete(client)) return false;
    this.subscriptionCount--;
    this.closeIfEmpty(channel, entry);
    return true;
  }

  /** Adds a server-side listener; resolves when the broker feeds the channel to this node. */
  listen(channel: string, listener: ChannelListener): Promise<void> {
    const entry = this.open(channel);
    entry.listeners ??= new Set();
    entry.listeners.add(listener);
    return entry.ready;
  }

  /** Removes a server-side listener. */
  unlisten(channel: string, listener: ChannelListener): void {
    const entry = this.entries.get(channel);
    if (!entry?.listeners?.delete(listener)) return;
    this.closeIfEmpty(channel, entry);
  }

  /** The subscribers and listeners of `channel` on this node. */
  entry(channel: string): ChannelEntry<C> | undefined {
    return this.entries.get(channel);
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
