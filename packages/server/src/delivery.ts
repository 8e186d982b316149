import type { EventFrame } from "@switchyard/protocol";
import type { BrokerEvent } from "./broker/broker.js";
import type { Connection } from "./connection.js";
import type { HubCore } from "./core.js";
import { eventFrame } from "./event-frame.js";
import { conflateKeyOf } from "./namespaces.js";
import type { ChannelListener } from "./registry.js";

/** Most live events one subscription may buffer while it replays. */
const MAX_PENDING = 10_000;

/**
 * Fans one event out to this node's subscribers of its channel. The frame is encoded at most
 * once per codec and the same bytes are queued for every subscriber using that codec.
 */
export function deliver(core: HubCore, event: BrokerEvent): void {
  const entry = core.registry.entry(event.channel);
  if (entry === undefined) return;
  if (entry.listeners.size > 0) notifyListeners(core, entry.listeners, event);
  const subscribers = entry.subscribers;
  let frame: EventFrame | undefined;
  let text: Uint8Array | undefined;
  let binary: Uint8Array | undefined;
  let conflateKey: string | undefined;
  let first = true;
  for (const [connection, subscription] of subscribers) {
    if (subscription.events !== undefined && !subscription.events.has(event.event)) continue;
    if (subscription.pending !== undefined) {
      // Live events wait while the subscription is set up or replays its history; a client
      // that never drains its replay cannot make them pile up.
      if (subscription.pending.length >= MAX_PENDING) connection.close("slow_consumer");
      else subscription.pending.push(event);
      continue;
    }
    if (event.offset !== undefined && event.offset <= subscription.floor) continue;
    if (first) {
      first = false;
      frame = eventFrame(event);
      conflateKey = conflateKeyOf(subscription.namespace, event.channel, event.event);
    }
    let bytes: Uint8Array;
    if ((connection as Connection).codec.binary) {
      binary ??= core.encode(connection.codec, frame);
      bytes = binary;
    } else {
      text ??= core.encode(connection.codec, frame);
      bytes = text;
    }
    connection.enqueue(bytes, conflateKey);
  }
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
