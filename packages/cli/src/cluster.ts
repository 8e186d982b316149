import { randomBytes, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { SwitchyardError } from "@switchyard/protocol";
import {
  type ControlMessage,
  createRedisBroker,
  DEFAULT_NODE_STATS_TTL,
  type RedisBroker,
} from "@switchyard/redis";
import type { DisconnectTarget, Hub, Logger } from "@switchyard/server";
import {
  asHubStats,
  type ClusterStats,
  NODE_STATS_PERIOD,
  type NodeStats,
  sumStats,
} from "./cluster-stats.js";
import type { RedisConfig } from "./config.js";

/** Control message asking every node to close the matching clients. */
const DISCONNECT = "disconnect";
/** Control message a node answers a {@link DISCONNECT} with: how many clients it closed. */
const DISCONNECTED = "disconnected";

/** Milliseconds `disconnect` waits for the other nodes' answers. */
export const DISCONNECT_REPLY_TIMEOUT = 2_000;

/** This server as one node of a cluster: the cluster-wide parts of `/stats` and disconnects. */
export interface ClusterNode {
  readonly nodeId: string;
  readonly broker: RedisBroker;
  /** Every live node's figures, this node's own at the top level (see {@link ClusterStats}). */
  stats(): Promise<ClusterStats>;
  /**
   * Closes the matching clients on every node with `disconnected`; resolves with how many were
   * closed, as the nodes that answered within {@link DISCONNECT_REPLY_TIMEOUT} counted them.
   * Rejects with `broker_unavailable` when Redis is unreachable (nothing was closed then).
   */
  disconnect(target: DisconnectTarget): Promise<number>;
  /** Stops writing figures, removes this node's figures from Redis, closes the broker. */
  close(): Promise<void>;
}

/** A node id that is readable in `/stats` and unique even for several nodes on one host. */
export function defaultNodeId(): string {
  return `${hostname()}-${randomBytes(3).toString("hex")}`;
}

/** The Redis broker of a node, from the `redis` part of the config. */
export function createClusterBroker(config: RedisConfig, logger: Logger): RedisBroker {
  return createRedisBroker({
    url: config.url,
    nodeId: config.nodeId ?? defaultNodeId(),
    logger,
    ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
    ...(config.durableRedis === undefined ? {} : { durableRedis: config.durableRedis }),
    ...(config.startTimeout === undefined ? {} : { startTimeout: config.startTimeout }),
  });
}

/** The target of a control message, or undefined when it is not exactly one string id. */
function targetOf(value: unknown): DisconnectTarget | undefined {
  const target = value as Record<string, unknown> | null;
  if (typeof target !== "object" || target === null) return undefined;
  const fields = (["clientId", "sessionId", "userId"] as const).filter(
    (field) => typeof target[field] === "string",
  );
  const [field] = fields;
  if (fields.length !== 1 || field === undefined) return undefined;
  return { [field]: target[field] as string };
}

interface PendingDisconnect {
  expected: number | undefined;
  answers: number;
  closed: number;
  done: () => void;
}

/** Options of {@link joinCluster}. */
export interface JoinClusterOptions {
  logger: Logger;
  /**
   * Milliseconds between two writes of this node's figures to Redis.
   * @default NODE_STATS_PERIOD (5_000)
   */
  statsPeriod?: number;
  /**
   * Milliseconds `disconnect` waits for the nodes' answers.
   * @default DISCONNECT_REPLY_TIMEOUT (2_000)
   */
  replyTimeout?: number;
}

/**
 * Joins a started hub to its cluster: writes the hub's figures to Redis every few seconds
 * (kept for three periods at least, so a crashed node drops out of `/stats` by itself), and
 * applies the disconnects any node sends.
 */
export function joinCluster(
  hub: Hub,
  broker: RedisBroker,
  options: JoinClusterOptions,
): ClusterNode {
  const { nodeId, control, nodeStats } = broker;
  const { logger } = options;
  const replyTimeout = options.replyTimeout ?? DISCONNECT_REPLY_TIMEOUT;
  const statsPeriod = options.statsPeriod ?? NODE_STATS_PERIOD;
  const statsTtl = Math.max(DEFAULT_NODE_STATS_TTL, statsPeriod * 3);
  const pending = new Map<string, PendingDisconnect>();

  function onControl(message: ControlMessage): void {
    const data = message.data as { request?: unknown; target?: unknown; closed?: unknown } | null;
    if (typeof data?.request !== "string") return;
    if (message.type === DISCONNECT) {
      const target = targetOf(data.target);
      if (target === undefined) return;
      const closed = hub.disconnect(target);
      if (closed > 0) logger.info({ target, closed, from: message.from }, "clients disconnected");
      control.send(DISCONNECTED, { request: data.request, closed }).catch((error: unknown) => {
        logger.warn({ err: error }, "could not answer a disconnect");
      });
    } else if (message.type === DISCONNECTED) {
      const waiting = pending.get(data.request);
      if (waiting === undefined || typeof data.closed !== "number") return;
      waiting.answers++;
      waiting.closed += data.closed;
      if (waiting.expected !== undefined && waiting.answers >= waiting.expected) waiting.done();
    }
  }
  const stopControl = control.onMessage(onControl);

  function writeStats(): void {
    nodeStats
      .write(nodeId, hub.stats(), statsTtl)
      .catch((error: unknown) => logger.debug({ err: error }, "writing node stats failed"));
  }
  writeStats();
  const timer = setInterval(writeStats, statsPeriod);
  timer.unref();

  let closed: Promise<void> | undefined;
  return {
    nodeId,
    broker,

    async stats() {
      const own: NodeStats = { nodeId, ...hub.stats() };
      const nodes: NodeStats[] = [own];
      let incomplete = false;
      try {
        for (const entry of await nodeStats.readAll()) {
          const stats = asHubStats(entry.stats);
          if (entry.nodeId !== nodeId && stats !== undefined) {
            nodes.push({ nodeId: entry.nodeId, ...stats });
          }
        }
      } catch {
        incomplete = true;
      }
      nodes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
      return {
        ...own,
        nodes,
        total: sumStats(nodes),
        ...(incomplete ? { incomplete: true as const } : {}),
      };
    },

    async disconnect(target) {
      const request = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const entry: PendingDisconnect = { expected: undefined, answers: 0, closed: 0, done() {} };
      const answered = new Promise<void>((resolve) => {
        entry.done = resolve;
        timer = setTimeout(resolve, replyTimeout);
      });
      // Registered before sending: this node's own answer may arrive before `send` resolves.
      pending.set(request, entry);
      try {
        try {
          entry.expected = await control.send(DISCONNECT, { request, target });
        } catch (error) {
          if (error instanceof SwitchyardError) throw error;
          throw new SwitchyardError("broker_unavailable", "Redis is unreachable");
        }
        if (entry.answers >= entry.expected) entry.done();
        await answered;
        if (entry.answers < entry.expected) {
          logger.warn(
            { target, nodes: entry.expected, answered: entry.answers },
            "some nodes did not answer a disconnect in time",
          );
        }
        return entry.closed;
      } finally {
        clearTimeout(timer);
        pending.delete(request);
      }
    },

    close() {
      closed ??= (async () => {
        clearInterval(timer);
        stopControl();
        if (broker.ready()) {
          await nodeStats.remove(nodeId).catch((error: unknown) => {
            logger.debug({ err: error }, "removing node stats failed");
          });
        }
        await broker.close();
      })();
      return closed;
    },
  };
}
