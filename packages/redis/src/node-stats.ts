import { SwitchyardError } from "@switchyard/protocol";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";
import { NODE_LIST, NODE_WRITE } from "./scripts.js";

/** One node's stats as read back from Redis. */
export interface NodeStatsEntry {
  nodeId: string;
  /** What the node wrote (any JSON value, typically its `HubStats`). */
  stats: unknown;
  /** When the entry expires unless written again, in ms since the Unix epoch (Redis clock). */
  expiresAt: number;
}

/**
 * Cluster-wide node stats: each node writes its own stats every few seconds with a ttl a few
 * times longer than that period; any node reads every live node's stats (for a cluster-wide
 * `/stats`: per node and total). A node that stops writing (crashed, partitioned) drops out
 * of `readAll` when its ttl runs out.
 */
export interface NodeStatsStore {
  /** Writes this node's stats, kept for `ttl` ms unless written again. */
  write(nodeId: string, stats: unknown, ttl?: number): Promise<void>;
  /** Every node's live stats, in node id order. */
  readAll(): Promise<NodeStatsEntry[]>;
  /** Removes a node's stats at once (on a clean shutdown). */
  remove(nodeId: string): Promise<void>;
}

/** Default ttl of node stats, in milliseconds. */
export const DEFAULT_NODE_STATS_TTL = 15_000;

/** The node stats store of a Redis broker. */
export function createNodeStatsStore(link: RedisLink, keys: RedisKeys): NodeStatsStore {
  return {
    async write(nodeId, stats, ttl = DEFAULT_NODE_STATS_TTL) {
      if (!Number.isFinite(ttl) || ttl <= 0) {
        throw new SwitchyardError("internal_error", "node stats ttl must be a positive number", {
          ttl,
        });
      }
      // JSON, so an operator can read it with redis-cli.
      const json = JSON.stringify(stats) ?? "null";
      await link.run(
        NODE_WRITE,
        [keys.nodes(), keys.nodeStats(nodeId)],
        [nodeId, json, String(Math.ceil(ttl))],
      );
    },

    async readAll() {
      const flat = await link.run<Buffer[]>(NODE_LIST, [keys.nodes()], []);
      const ids: string[] = [];
      const expiries: number[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        ids.push(String(flat[i]));
        expiries.push(Number(String(flat[i + 1])));
      }
      if (ids.length === 0) return [];
      const values = await link.client().mGet(ids.map((id) => keys.nodeStats(id)));
      const entries: NodeStatsEntry[] = [];
      ids.forEach((nodeId, i) => {
        const value = values[i];
        // Expired between the two reads: the node is gone.
        if (typeof value !== "string") return;
        entries.push({ nodeId, stats: JSON.parse(value), expiresAt: expiries[i] ?? 0 });
      });
      return entries.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    },

    async remove(nodeId) {
      await link.client().multi().zRem(keys.nodes(), nodeId).del(keys.nodeStats(nodeId)).exec();
    },
  };
}
