/**
 * The names of everything the Redis broker keeps or publishes in Redis, all under one prefix.
 * `docs/operations.md` lists them with their expiry.
 *
 * A channel's keys share the hash tag `{<channel>}`, so the keys one script touches would sit
 * in one slot of a Redis Cluster.
 */
export class RedisKeys {
  /** The prefix of every key and pub/sub channel, colon included. */
  private readonly base: string;

  constructor(prefix: string) {
    this.base = `${prefix}:`;
  }

  /** Hash `epoch`, `offset` (newest event) and `ttl` (retention age) of a channel's stream. */
  meta(channel: string): string {
    return `${this.base}{${channel}}:meta`;
  }

  /** Stream of the channel's kept events; entry id `<offset>-0`, fields `t` and `p`. */
  stream(channel: string): string {
    return `${this.base}{${channel}}:stream`;
  }

  /** String remembering the first publish with an idempotency key on the channel. */
  idempotency(channel: string, key: string): string {
    return `${this.base}{${channel}}:idem:${key}`;
  }

  /** Sorted set clientId → expiry time of the channel's presence entries. */
  presenceExpiry(channel: string): string {
    return `${this.base}{${channel}}:presence:exp`;
  }

  /** Hash clientId → member key and encoded info of the channel's presence entries. */
  presenceInfo(channel: string): string {
    return `${this.base}{${channel}}:presence:info`;
  }

  /** Sorted set (lexical) `<member key>\0<clientId>`: connections grouped and ordered by member. */
  presenceOrder(channel: string): string {
    return `${this.base}{${channel}}:presence:order`;
  }

  /** Hash member key → its number of connections on the channel. */
  presenceMembers(channel: string): string {
    return `${this.base}{${channel}}:presence:members`;
  }

  /** Sorted set nodeId → expiry time of the nodes that wrote their stats. */
  nodes(): string {
    return `${this.base}nodes`;
  }

  /** String holding one node's stats (JSON). */
  nodeStats(nodeId: string): string {
    return `${this.base}node:${nodeId}`;
  }

  /** String holding a key-value store value (MessagePack). */
  kvValue(key: string): string {
    return `${this.base}kv:{${key}}`;
  }

  /** Hash of a versioned key-value entry: `v` the value (MessagePack), `r` its revision. */
  kvVersioned(key: string): string {
    return `${this.base}kvver:{${key}}`;
  }

  /** Set of a key-value store set. */
  kvSet(key: string): string {
    return `${this.base}kvset:{${key}}`;
  }

  /** Pub/sub channel carrying a channel's events to the nodes subscribed to it. */
  events(channel: string): string {
    return `${this.base}events:${channel}`;
  }

  /** The channel whose events travel on the pub/sub channel `name`, if it is one of ours. */
  channelOf(name: string): string | undefined {
    const head = `${this.base}events:`;
    return name.startsWith(head) ? name.slice(head.length) : undefined;
  }

  /** Pub/sub channel of node-to-node control messages. */
  control(): string {
    return `${this.base}control`;
  }
}
