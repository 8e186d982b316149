import type { Codec, EventFrame } from "@switchyard/protocol";
import type { BrokerEvent } from "../broker/broker.js";
import { OutboundMessage } from "../transport/outbound-message.js";
import type { Connection } from "./connection.js";
import type { HubCore } from "./core.js";
import { eventFrame } from "./event-frame.js";
import type { ChannelListener } from "./registry.js";
import type { Subscription } from "./subscription.js";

/** Most live events one subscription may buffer while it replays. */
const MAX_PENDING = 10_000;

/**
 * Fans one event out to this node's subscribers of its channel. The frame is encoded at most
 * once per codec and the same message (and so the same wire frame) is queued for every
 * subscriber using that codec.
 */
export function deliver(core: HubCore, event: BrokerEvent): void {
  const entry = core.registry.entry(event.channel);
  if (entry === undefined) return;
  if (entry.listeners !== undefined) notifyListeners(core, entry.listeners, event);
  if (entry.size === 0) return;
  // An event that finds the hub idle goes out to each subscriber as it is queued; otherwise
  // it waits for the flush at the end of the turn, batched with whatever else comes.
  const writeThrough = core.scheduler.idle();
  entry.forEach(offer, new Fanout(core, event, writeThrough));
  if (writeThrough) core.scheduler.flushed();
}

/** The state of one event's fan-out: its encodings, made on first need. */
class Fanout {
  text: OutboundMessage | undefined = undefined;
  binary: OutboundMessage | undefined = undefined;
  conflateKey: string | undefined = undefined;
  private frame: EventFrame | undefined = undefined;

  constructor(
    readonly core: HubCore,
    readonly event: BrokerEvent,
    /** Write to each subscriber at once instead of at the end of the turn. */
    readonly writeThrough: boolean,
  ) {}

  /** The event encoded with `codec`, once per codec. */
  message(codec: Codec, subscription: Subscription): OutboundMessage {
    if (this.frame === undefined) {
      this.frame = eventFrame(this.event);
      this.conflateKey = subscription.namespace.conflate?.(this.event);
    }
    if (codec.binary) {
      this.binary ??= new OutboundMessage(this.core.encode(codec, this.frame), true);
      return this.binary;
    }
    this.text ??= new OutboundMessage(this.core.encode(codec, this.frame), false);
    return this.text;
  }
}

/** Offers the event of `this` to one subscriber (a `Map#forEach` callback: no per-entry arrays). */
function offer(this: Fanout, subscription: Subscription, connection: Connection): void {
  const event = this.event;
  if (subscription.events !== undefined && !subscription.events.has(event.event)) return;
  if (subscription.pending !== undefined) {
    // Live events wait while the subscription is set up or replays its history; a client
    // that never drains its replay cannot make them pile up.
    if (subscription.pending.length >= MAX_PENDING) connection.close("slow_consumer");
    else subscription.pending.push(event);
    return;
  }
  if (event.offset !== undefined && event.offset <= subscription.floor) return;
  const message = this.message(connection.codec, subscription);
  connection.enqueueShared(message, this.conflateKey);
  if (this.writeThrough) connection.flush();
}

function notifyListeners(core: HubCore, listeners: Set<ChannelListener>, event: BrokerEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      core.logger.error({ err: error, channel: event.channel }, "channel listener failed");
    }
  }
}
