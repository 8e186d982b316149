import type { Codec } from "@switchyard/protocol";
import { OutboundMessage } from "../transport/outbound-message.js";

interface Entry {
  parts: readonly OutboundMessage[];
  batch: OutboundMessage;
}

/**
 * The batches built during one flush of the hub, one remembered per codec. Fan-out queues the
 * same messages, in the same order, for every subscriber of a channel, so connections flushed
 * one after another usually hold identical queues: the batch (and its wire frame) is then
 * built once and shared instead of once per connection. Cleared after every flush.
 */
export class BatchCache {
  private readonly entries = new Map<Codec, Entry>();

  /** The batch message of `parts` (two or more), shared when the last one had the same parts. */
  batch(codec: Codec, parts: readonly OutboundMessage[]): OutboundMessage {
    const entry = this.entries.get(codec);
    if (entry !== undefined && sameParts(entry.parts, parts)) return entry.batch;
    const payloads: Uint8Array[] = new Array(parts.length);
    for (let i = 0; i < parts.length; i++) payloads[i] = parts[i]!.payload;
    const batch = new OutboundMessage(codec.batch(payloads), codec.binary);
    this.entries.set(codec, { parts, batch });
    return batch;
  }

  /** Forgets every batch (the parts may be reused once the flush is over). */
  clear(): void {
    if (this.entries.size > 0) this.entries.clear();
  }
}

/** Same messages in the same order: identity is enough, a message never changes. */
function sameParts(a: readonly OutboundMessage[], b: readonly OutboundMessage[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
