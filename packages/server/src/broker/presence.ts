import type { PresenceCount, PresenceMember } from "@switchyard/protocol";

/** What a node writes for one connection present on a channel. */
export interface PresenceWrite {
  readonly clientId: string;
  /** The connection's user, or null for an anonymous connection (a member alone). */
  readonly userId: string | null;
  /** The connection's presence info (plain data, as the key-value store carries it). */
  readonly info: unknown;
}

/** One connection present on a channel, as the store holds it. */
export interface PresenceEntry extends PresenceWrite {
  /** When the entry expires unless refreshed, in milliseconds since the Unix epoch. */
  readonly expiresAt: number;
}

/**
 * Entries whose ttl ran out, taken out of the store by the read that found them: exactly one
 * caller (on one node) gets each, so exactly one reports its leave.
 */
export interface PresenceExpired {
  readonly expired: readonly PresenceEntry[];
}

/** A page of members ({@link PresenceStore.page}). */
export interface PresenceStorePage extends PresenceExpired {
  readonly count: PresenceCount;
  /** Members in a stable order (by user id, anonymous connections last), grouped by user. */
  readonly members: readonly PresenceMember[];
  /** Pass it back for the next page; null on the last one. */
  readonly cursor: string | null;
}

/** Most members one page may hold. */
export const MAX_PRESENCE_PAGE = 1000;

/**
 * Who is present on each channel, shared by every node of a hub, for the presence feature.
 * Each node writes the entries of its own connections and refreshes them before their ttl
 * runs out; the entries of a node that died expire. Every read first takes expired entries
 * out (atomically, so of concurrent readers exactly one gets each) and returns them, so the
 * caller can publish their leaves: a dead node's members leave once, and no zombie stays.
 *
 * Members group connections by user: a user with three tabs is one member with three
 * connections; an anonymous connection is a member alone. Join/leave events are the feature's
 * job, not the store's. Every implementation passes `presenceContract` of
 * `@switchyard/server/testing`.
 */
export interface PresenceStore {
  /** Adds or refreshes a connection on `channel` for `ttl` ms from now (the store's clock). */
  set(channel: string, entry: PresenceWrite, ttl: number): Promise<void>;
  /**
   * Removes a connection from `channel`; resolves with the entry it removed, or undefined when
   * there was none (already removed, or expired and taken by a read). Of concurrent removals
   * of one entry, exactly one gets it.
   */
  remove(channel: string, clientId: string): Promise<PresenceEntry | undefined>;
  /** How many are present: one call, no member list. */
  count(channel: string): Promise<PresenceCount & PresenceExpired>;
  /**
   * A page of at most `limit` members (1 to {@link MAX_PRESENCE_PAGE}) after `cursor` (from
   * the start when absent), with every connection of each member on the page.
   */
  page(channel: string, options: { cursor?: string; limit: number }): Promise<PresenceStorePage>;
  /** Takes the expired entries of `channel` out and returns them. */
  expire(channel: string): Promise<readonly PresenceEntry[]>;
}

/**
 * The key that orders and groups a connection: its user (`u` + user id), or the connection
 * itself when anonymous (`~` + client id, after every user).
 */
export function memberKey(entry: PresenceWrite): string {
  return entry.userId === null ? `~${entry.clientId}` : `u${entry.userId}`;
}
