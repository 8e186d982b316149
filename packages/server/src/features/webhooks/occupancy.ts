import type { KeyValueStore } from "../../broker/kv.js";
import type { Logger } from "../../core/options.js";

/**
 * Whether a channel has subscribers anywhere in the cluster, and the one node that reports
 * each change (docs/webhooks.md, "Channel occupied and vacated").
 *
 * Each node counts its own subscribers per channel. When its count goes from 0 to 1 it adds
 * itself to the channel's occupancy entry in the broker's key-value store; `grace` ms after its
 * count went to 0 (and stayed there) it takes itself out. The entry is a versioned document
 * (`{ nodes: { <node>: <lease end> } }`) written by compare-and-set, so of the nodes that
 * change it at once exactly one makes each change: the write that finds no live node reports
 * `occupied`, the write that leaves none reports `vacated`. A node renews its lease while it
 * has subscribers; a crashed node's entry lapses after `lease` ms.
 */

/** Key of a channel's occupancy entry. */
const keyOf = (channel: string) => `webhooks:occupancy:${channel}`;

interface Entry {
  nodes: Record<string, number>;
}

/** What {@link ChannelOccupancy} is given. */
export interface OccupancyOptions {
  kv: KeyValueStore;
  node: string;
  /** Milliseconds a channel's last subscriber is waited for before it is left. */
  grace: number;
  /** Milliseconds a node's place in an entry lasts without renewal. */
  lease: number;
  logger: Logger;
  /** Called on the one node that saw the change. */
  report(type: "channel_occupied" | "channel_vacated", channel: string): void;
}

/** The channel occupancy of one node, shared through the key-value store. */
export class ChannelOccupancy {
  /** This node's subscribers per channel. */
  private readonly counts = new Map<string, number>();
  /** Channels this node holds a place in (or is joining). */
  private readonly held = new Set<string>();
  /** Channels whose last local subscriber left: the time to leave. */
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  /** Per channel, the store operations in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly options: OccupancyOptions) {
    this.renewal = setInterval(() => this.renew(), options.lease / 3);
    this.renewal.unref();
  }

  subscribed(channel: string): void {
    const count = (this.counts.get(channel) ?? 0) + 1;
    this.counts.set(channel, count);
    if (count > 1) return;
    const timer = this.leaving.get(channel);
    if (timer !== undefined) {
      // Back within the grace: this node never left.
      clearTimeout(timer);
      this.leaving.delete(channel);
      return;
    }
    this.held.add(channel);
    this.serial(channel, () => this.join(channel));
  }

  unsubscribed(channel: string): void {
    const count = (this.counts.get(channel) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(channel, count);
      return;
    }
    this.counts.delete(channel);
    const timer = setTimeout(() => {
      this.leaving.delete(channel);
      this.leave(channel);
    }, this.options.grace);
    timer.unref();
    this.leaving.set(channel, timer);
  }

  /** Leaves every channel at once (the hub closes), and waits for the store. */
  async close(): Promise<void> {
    clearInterval(this.renewal);
    for (const [channel, timer] of this.leaving) {
      clearTimeout(timer);
      this.leave(channel);
    }
    this.leaving.clear();
    for (const channel of this.counts.keys()) this.leave(channel);
    this.counts.clear();
    await Promise.all(this.chains.values());
  }

  private leave(channel: string): void {
    this.held.delete(channel);
    this.serial(channel, () => this.remove(channel));
  }

  private async join(channel: string): Promise<void> {
    const now = Date.now();
    const wasEmpty = await this.update(channel, (nodes) => {
      const empty = live(nodes, now).length === 0;
      nodes[this.options.node] = now + this.options.lease;
      return empty;
    });
    if (wasEmpty) this.options.report("channel_occupied", channel);
  }

  private async remove(channel: string): Promise<void> {
    const now = Date.now();
    const emptied = await this.update(channel, (nodes) => {
      const wasHere = live(nodes, now).includes(this.options.node);
      delete nodes[this.options.node];
      return wasHere && live(nodes, now).length === 0;
    });
    if (emptied) this.options.report("channel_vacated", channel);
  }

  /** Renews this node's lease in every channel it holds. */
  private renew(): void {
    const now = Date.now();
    for (const channel of this.held) {
      this.serial(channel, async () => {
        if (!this.held.has(channel)) return;
        await this.update(channel, (nodes) => {
          nodes[this.options.node] = now + this.options.lease;
          return false;
        });
      });
    }
  }

  /**
   * Reads the entry, applies `change` (which drops lapsed nodes' places on its way) and writes
   * it back by compare-and-set, again from a fresh read when another node wrote first.
   * Resolves with what `change` returned for the write that won.
   */
  private async update(
    channel: string,
    change: (nodes: Record<string, number>) => boolean,
  ): Promise<boolean> {
    const { kv, lease } = this.options;
    for (;;) {
      const current = await kv.getVersioned(keyOf(channel));
      const entry = (current?.value as Entry | undefined) ?? { nodes: {} };
      const nodes: Record<string, number> = {};
      for (const node of live(entry.nodes, Date.now())) nodes[node] = entry.nodes[node] as number;
      const result = change(nodes);
      const written = await kv.setVersioned(
        keyOf(channel),
        { nodes },
        current?.revision ?? 0,
        lease,
      );
      if (written !== undefined) return result;
    }
  }

  private serial(channel: string, task: () => Promise<void>): void {
    const run = (this.chains.get(channel) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, channel }, "webhook occupancy update failed"),
      );
    this.chains.set(channel, run);
    void run.then(() => {
      if (this.chains.get(channel) === run) this.chains.delete(channel);
    });
  }
}

/** The nodes whose lease has not run out at `now`. */
function live(nodes: Record<string, number>, now: number): string[] {
  return Object.keys(nodes).filter((node) => (nodes[node] ?? 0) > now);
}
