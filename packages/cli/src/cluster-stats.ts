import type { HubStats } from "@switchyard/server";

/** One node's figures in the cluster-wide `/stats`. */
export interface NodeStats extends HubStats {
  /** The node's id (`redis.nodeId`, or generated at start). */
  nodeId: string;
}

/**
 * `GET /stats` of a node in cluster mode: this node's own figures at the top level (the same
 * shape as a single node's `/stats`, so dashboards and the inspector keep working), plus every
 * live node's figures and their sum.
 */
export interface ClusterStats extends HubStats {
  /** This node's id. */
  nodeId: string;
  /**
   * Every node that wrote its figures within the stats ttl, in node id order. This node's
   * entry is live; the others are at most one write period old.
   */
  nodes: NodeStats[];
  /**
   * The sum of `nodes` (uptime: the longest). `channels` counts a channel once per node that
   * has subscribers to it.
   */
  total: HubStats;
  /** Present (true) when the other nodes' figures could not be read (Redis unreachable). */
  incomplete?: true;
}

/** Milliseconds between two writes of a node's figures to Redis. */
export const NODE_STATS_PERIOD = 5_000;

function rate(a: HubStats["messagesIn"], b: HubStats["messagesIn"]): HubStats["messagesIn"] {
  return { total: a.total + b.total, perSecond: a.perSecond + b.perSecond };
}

/** The sum of several nodes' figures (uptime: the longest). */
export function sumStats(all: readonly HubStats[]): HubStats {
  const zero: HubStats = {
    connections: 0,
    channels: 0,
    subscriptions: 0,
    messagesIn: { total: 0, perSecond: 0 },
    messagesOut: { total: 0, perSecond: 0 },
    published: { total: 0, perSecond: 0 },
    queuedBytes: 0,
    uptimeSeconds: 0,
    features: {},
  };
  return all.reduce<HubStats>(
    (sum, stats) => ({
      connections: sum.connections + stats.connections,
      channels: sum.channels + stats.channels,
      subscriptions: sum.subscriptions + stats.subscriptions,
      messagesIn: rate(sum.messagesIn, stats.messagesIn),
      messagesOut: rate(sum.messagesOut, stats.messagesOut),
      published: rate(sum.published, stats.published),
      queuedBytes: sum.queuedBytes + stats.queuedBytes,
      uptimeSeconds: Math.max(sum.uptimeSeconds, stats.uptimeSeconds),
      features: sumFeatures(sum.features, stats.features),
    }),
    zero,
  );
}

/** Each feature's figures summed over the nodes. */
function sumFeatures(a: HubStats["features"], b: HubStats["features"]): HubStats["features"] {
  const out: HubStats["features"] = {};
  for (const source of [a, b]) {
    for (const [feature, figures] of Object.entries(source)) {
      const sum: Record<string, number> = out[feature] ?? {};
      out[feature] = sum;
      for (const [name, value] of Object.entries(figures)) sum[name] = (sum[name] ?? 0) + value;
    }
  }
  return out;
}

/** The figures of features another node wrote; nothing of what is not numbers. */
function asFeatures(value: unknown): HubStats["features"] {
  const out: HubStats["features"] = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [feature, figures] of Object.entries(value)) {
    if (typeof figures !== "object" || figures === null) continue;
    const numbers: Record<string, number> = {};
    for (const [name, n] of Object.entries(figures)) if (typeof n === "number") numbers[name] = n;
    out[feature] = numbers;
  }
  return out;
}

function isRate(value: unknown): value is HubStats["messagesIn"] {
  const rate = value as Partial<HubStats["messagesIn"]> | null;
  return typeof rate?.total === "number" && typeof rate.perSecond === "number";
}

/**
 * The figures another node wrote, or undefined when they are not `HubStats` (a node of
 * another version, or something else writing under the same prefix).
 */
export function asHubStats(value: unknown): HubStats | undefined {
  const stats = value as Partial<Record<keyof HubStats, unknown>> | null;
  if (typeof stats !== "object" || stats === null) return undefined;
  const numbers = [
    stats.connections,
    stats.channels,
    stats.subscriptions,
    stats.queuedBytes,
    stats.uptimeSeconds,
  ];
  if (!numbers.every((n) => typeof n === "number")) return undefined;
  if (!isRate(stats.messagesIn) || !isRate(stats.messagesOut) || !isRate(stats.published)) {
    return undefined;
  }
  return {
    connections: stats.connections as number,
    channels: stats.channels as number,
    subscriptions: stats.subscriptions as number,
    messagesIn: stats.messagesIn,
    messagesOut: stats.messagesOut,
    published: stats.published,
    queuedBytes: stats.queuedBytes as number,
    uptimeSeconds: stats.uptimeSeconds as number,
    features: asFeatures(stats.features),
  };
}
