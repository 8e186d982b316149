import type { Broker, BrokerEvent } from "../broker/broker.js";
import type { Logger } from "./options.js";
import type { Subscription } from "./subscription.js";

/** Server code listening to a channel on this node (`hub.listen`). */
export type ChannelListener = (event: BrokerEvent) => void;

/** Stands in for a channel's broker subscription once it is in place (shared: settled for good). */
const READY: Promise<void> = Promise.resolve();

/**
 * The local subscribers of one channel and the broker subscription that feeds them.
 *
 * Most channels on a node have a single subscriber (every client's `$client:` and `$session:`
 * channels, a user's or a job's channel), so a lone subscriber is held in two fields and the
 * Map is created only for the second: an idle connection's personal channels then cost a few
 * words each instead of a hash table.
 */
export class ChannelEntry<C> {
  /** The subscriber while there is exactly one and no Map. */
  private one: C | undefined = undefined;
  private oneSubscription: Subscription | undefined = undefined;
  /** Every subscriber, from the second one on (kept when they leave again). */
  private many: Map<C, Subscription> | undefined = undefined;
  /** Server-side listeners on this node (created with the first one: most channels have none). */
  listeners: Set<ChannelListener> | undefined = undefined;
  /** Resolves once the broker delivers this channel's events to this node. */
  ready: Promise<void>;

  constructor(subscribed: Promise<void>) {
    this.ready = subscribed;
    // Once in place, drop the per-channel promise for the shared settled one. A failed broker
    // subscription surfaces to whoever awaits `ready`; never unhandled.
    subscribed.then(
      () => {
        if (this.ready === subscribed) this.ready = READY;
      },
      () => {},
    );
  }

  /** How many clients subscribe on this node. */
  get size(): number {
    if (this.many !== undefined) return this.many.size;
    return this.one === undefined ? 0 : 1;
  }

  has(client: C): boolean {
    return this.many !== undefined ? this.many.has(client) : this.one === client;
  }

  /** Adds or replaces `client`'s subscription. */
  set(client: C, subscription: Subscription): void {
    if (this.many !== undefined) {
      this.many.set(client, subscription);
    } else if (this.one === undefined || this.one === client) {
      this.one = client;
      this.oneSubscription = subscription;
    } else {
      this.many = new Map([[this.one, this.oneSubscription as Subscription]]);
      this.many.set(client, subscription);
      this.one = undefined;
      this.oneSubscription = undefined;
    }
  }

  delete(client: C): boolean {
    if (this.many !== undefined) return this.many.delete(client);
    if (this.one !== client) return false;
    this.one = undefined;
    this.oneSubscription = undefined;
    return true;
  }

  /**
   * Calls `visit` with `self` as `this` for every subscriber (the delivery hot path: no
   * per-subscriber closures or arrays).
   */
  forEach<T>(visit: (this: T, subscription: Subscription, client: C) => void, self: T): void {
    if (this.many !== undefined) this.many.forEach(visit, self);
    else if (this.one !== undefined)
      visit.call(self, this.oneSubscription as Subscription, this.one);
  }

  /** The subscribers, copied (safe to close them while iterating). */
  clients(): C[] {
    if (this.many !== undefined) return [...this.many.keys()];
    return this.one === undefined ? [] : [this.one];
  }
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
      entry = new ChannelEntry(this.broker.subscribe(channel));
      this.entries.set(channel, entry);
    }
    return entry;
  }

  private closeIfEmpty(channel: string, entry: ChannelEntry<C>): void {
    if (entry.size > 0 || (entry.listeners?.size ?? 0) > 0) return;
    this.entries.delete(channel);
    this.broker.unsubscribe(channel).catch((error: unknown) => {
      this.logger.warn({ err: error, channel }, "broker unsubscribe failed");
    });
  }

  /** Adds a subscriber; resolves when the broker feeds the channel to this node. */
  add(client: C, subscription: Subscription): Promise<void> {
    const entry = this.open(subscription.channel);
    if (!entry.has(client)) this.subscriptionCount++;
    entry.set(client, subscription);
    return entry.ready;
  }

  /** Removes a subscriber; the last one out drops the broker subscription. */
  remove(client: C, channel: string): boolean {
    const entry = this.entries.get(channel);
    if (!entry?.delete(client)) return false;
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
