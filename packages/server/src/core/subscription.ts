import type { BrokerEvent } from "../broker/broker.js";
import type { Namespace } from "./namespaces.js";

/** One client's subscription to one channel. */
export interface Subscription {
  readonly channel: string;
  readonly namespace: Namespace;
  /** Only these event names are delivered (all when undefined). */
  readonly events: ReadonlySet<string> | undefined;
  /**
   * Live events that arrived while the subscription was being set up (position read or
   * recovery), delivered in order once the reply is out. Undefined once live.
   */
  pending: BrokerEvent[] | undefined;
  /**
   * Events with an offset at or below this one precede the subscription or were replayed
   * (-1: none; kept a small integer so the field never needs a boxed number).
   */
  floor: number;
}

/** The floor of a subscription that delivers every event. */
export const NO_FLOOR = -1;

/** Creates a subscription that buffers live events until it is activated. */
export function createSubscription(
  channel: string,
  namespace: Namespace,
  events: readonly string[] | undefined,
): Subscription {
  return {
    channel,
    namespace,
    events: events ? new Set(events) : undefined,
    pending: [],
    // Unused until activation sets it: live events wait in `pending` until then.
    floor: NO_FLOOR,
  };
}

/** True when `subscription` wants `event` (its name passes the filter). */
export function wants(subscription: Subscription, event: string): boolean {
  return subscription.events === undefined || subscription.events.has(event);
}
