import type { PresenceConnection, PresenceCount, PresenceEventData } from "@switchyard/protocol";

/** The joins and leaves of one channel waiting for their `$presence` event. */
interface Batch {
  readonly joined: Map<string, PresenceConnection>;
  readonly left: Map<string, PresenceConnection>;
  timer: NodeJS.Timeout | undefined;
}

/** What the batcher needs from the feature. */
export interface BatcherContext {
  readonly window: number;
  readonly maxBatch: number;
  /** The channel's count after the batch (and the leaves of entries found expired meanwhile). */
  count(channel: string): Promise<{ count: PresenceCount; expired: PresenceConnection[] }>;
  /** Above the namespace's cap: the event carries the count only. */
  capped(channel: string, count: PresenceCount): boolean;
  publish(channel: string, data: PresenceEventData): Promise<unknown>;
  /**
   * Hears each batch's joins and leaves, once, on the node that reports them (other features:
   * webhooks), before the event is published.
   */
  announce(
    channel: string,
    joined: readonly PresenceConnection[],
    left: readonly PresenceConnection[],
  ): void;
  onError(error: unknown, channel: string): void;
}

/**
 * Gathers a channel's joins and leaves on this node into one `$presence` event per window
 * (or per `maxBatch` changes), so a burst of n joins is a few events for each subscriber
 * instead of n. A connection that joins and leaves within one window is in neither list
 * (the others never knew it); one that leaves and comes back is in neither (nothing changed).
 * A channel's events go out one after another, so their counts never go back in time.
 */
export class PresenceBatcher {
  private readonly batches = new Map<string, Batch>();
  /** The previous publish of each channel, which the next one waits for. */
  private readonly flushing = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly context: BatcherContext) {}

  joined(channel: string, connection: PresenceConnection): void {
    const batch = this.batch(channel);
    if (!batch.left.delete(connection.clientId)) batch.joined.set(connection.clientId, connection);
    this.added(channel, batch);
  }

  left(channel: string, connection: PresenceConnection): void {
    const batch = this.batch(channel);
    if (!batch.joined.delete(connection.clientId)) batch.left.set(connection.clientId, connection);
    this.added(channel, batch);
  }

  /** Resolves once every batch gathered so far went out. */
  async flushAll(): Promise<void> {
    for (const channel of [...this.batches.keys()]) this.flush(channel);
    await Promise.all(this.flushing.values());
  }

  /** Sends what is gathered, then drops later changes. */
  async close(): Promise<void> {
    await this.flushAll();
    this.closed = true;
  }

  private batch(channel: string): Batch {
    let batch = this.batches.get(channel);
    if (batch === undefined) {
      batch = { joined: new Map(), left: new Map(), timer: undefined };
      this.batches.set(channel, batch);
    }
    return batch;
  }

  private added(channel: string, batch: Batch): void {
    if (this.closed) return;
    if (batch.joined.size + batch.left.size >= this.context.maxBatch) this.flush(channel);
    else batch.timer ??= setTimeout(() => this.flush(channel), this.context.window);
  }

  private flush(channel: string): void {
    const batch = this.batches.get(channel);
    if (batch === undefined) return;
    this.batches.delete(channel);
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const previous = this.flushing.get(channel) ?? Promise.resolve();
    const next = previous.then(() => this.send(channel, batch));
    this.flushing.set(channel, next);
    void next.finally(() => {
      if (this.flushing.get(channel) === next) this.flushing.delete(channel);
    });
  }

  private async send(channel: string, batch: Batch): Promise<void> {
    try {
      const { count, expired } = await this.context.count(channel);
      for (const connection of expired) batch.left.set(connection.clientId, connection);
      if (batch.joined.size === 0 && batch.left.size === 0) return;
      this.context.announce(channel, [...batch.joined.values()], [...batch.left.values()]);
      const data: PresenceEventData = this.context.capped(channel, count)
        ? { count }
        : {
            ...(batch.joined.size > 0 ? { joined: [...batch.joined.values()] } : {}),
            ...(batch.left.size > 0 ? { left: [...batch.left.values()] } : {}),
            count,
          };
      await this.context.publish(channel, data);
    } catch (error) {
      this.context.onError(error, channel);
    }
  }
}
