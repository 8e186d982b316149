import type { BrokerEvent } from "../broker/broker.js";
import type { Subscription } from "./subscription.js";

/** What a {@link ReplayQueue} writes into: one connection's outbound side. */
export interface ReplaySink {
  /** True while the outbound queue has room for more replayed frames. */
  hasRoom(): boolean;
  /** Queues one replayed event (paced by `hasRoom`, so exempt from the slow-consumer cap). */
  sendReplayed(event: BrokerEvent): void;
  /** The subscription replayed everything: send its buffered live events and go live. */
  goLive(subscription: Subscription): void;
}

interface Item {
  subscription: Subscription;
  events: readonly BrokerEvent[];
  next: number;
}

/**
 * Recovered events waiting to be sent, paced by the connection's room, so a client that
 * catches up on a long history is never cut off as a slow consumer for its own replay, and
 * the server holds at most about half a queue of encoded frames for it at a time. Live events
 * of a replaying subscription wait (as broker events, shared with history) until it is done.
 */
export class ReplayQueue {
  private readonly items: Item[] = [];

  get active(): boolean {
    return this.items.length > 0;
  }

  add(subscription: Subscription, events: readonly BrokerEvent[]): void {
    this.items.push({ subscription, events, next: 0 });
  }

  /** Sends replayed events while the sink has room; subscriptions done replaying go live. */
  pump(sink: ReplaySink): void {
    while (this.items.length > 0) {
      const item = this.items[0]!;
      while (item.next < item.events.length) {
        if (!sink.hasRoom()) return;
        sink.sendReplayed(item.events[item.next++]!);
      }
      this.items.shift();
      sink.goLive(item.subscription);
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}
