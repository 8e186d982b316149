import { type PresenceCount, type PresenceMember, SwitchyardError } from "@switchyard/protocol";
import {
  memberKey,
  type PresenceEntry,
  type PresenceStore,
  type PresenceStorePage,
  type PresenceWrite,
} from "./presence.js";

interface Stored {
  readonly userId: string | null;
  readonly info: unknown;
  readonly key: string;
  expiresAt: number;
}

/** The presence of one channel. */
class ChannelPresence {
  readonly entries = new Map<string, Stored>();
  /** Member key → its connections, in the order they joined (the first one's info shows). */
  readonly members = new Map<string, Set<string>>();
  /** No entry expires before this (a sweep is due only past it). */
  nextExpiry = Number.POSITIVE_INFINITY;
  /** The member keys in order, made by the first page after a member came or went. */
  private sorted: string[] | undefined;

  count(): PresenceCount {
    return { members: this.members.size, connections: this.entries.size };
  }

  add(clientId: string, stored: Stored): void {
    this.delete(clientId);
    this.entries.set(clientId, stored);
    let connections = this.members.get(stored.key);
    if (connections === undefined) {
      connections = new Set();
      this.members.set(stored.key, connections);
      this.sorted = undefined;
    }
    connections.add(clientId);
    if (stored.expiresAt < this.nextExpiry) this.nextExpiry = stored.expiresAt;
  }

  delete(clientId: string): PresenceEntry | undefined {
    const stored = this.entries.get(clientId);
    if (stored === undefined) return undefined;
    this.entries.delete(clientId);
    const connections = this.members.get(stored.key);
    connections?.delete(clientId);
    if (connections?.size === 0) {
      this.members.delete(stored.key);
      this.sorted = undefined;
    }
    return { clientId, userId: stored.userId, info: stored.info, expiresAt: stored.expiresAt };
  }

  /** Takes out the entries expired at `now`; a no-op until the earliest one is due. */
  sweep(now: number): PresenceEntry[] {
    if (now < this.nextExpiry) return [];
    const gone: PresenceEntry[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [clientId, stored] of this.entries) {
      if (stored.expiresAt <= now) {
        const entry = this.delete(clientId);
        if (entry !== undefined) gone.push(entry);
      } else if (stored.expiresAt < next) {
        next = stored.expiresAt;
      }
    }
    this.nextExpiry = next;
    return gone;
  }

  /** The member keys after `cursor` (from the first when absent), at most `limit` + 1. */
  keysAfter(cursor: string | undefined, limit: number): string[] {
    this.sorted ??= [...this.members.keys()].sort();
    const sorted = this.sorted;
    let low = 0;
    if (cursor !== undefined) {
      // The first key greater than the cursor.
      let high = sorted.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((sorted[middle] as string) <= cursor) low = middle + 1;
        else high = middle;
      }
    }
    return sorted.slice(low, low + limit + 1);
  }

  member(key: string): PresenceMember {
    const clientIds = [...(this.members.get(key) ?? [])];
    const first = this.entries.get(clientIds[0] ?? "");
    return { userId: first?.userId ?? null, info: first?.info ?? null, clientIds };
  }
}

/**
 * The single-process {@link PresenceStore} of the memory broker. Counts are two map sizes;
 * a page is a binary search in the member keys, sorted again only after a member came or went. Expired entries are taken out by the first
 * read past the earliest expiry (a refreshed channel costs nothing to check).
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly channels = new Map<string, ChannelPresence>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The channel's presence after taking out its expired entries. */
  private read(channel: string): {
    presence: ChannelPresence | undefined;
    expired: PresenceEntry[];
  } {
    const presence = this.channels.get(channel);
    if (presence === undefined) return { presence, expired: [] };
    const expired = presence.sweep(this.now());
    if (presence.entries.size === 0) this.channels.delete(channel);
    return { presence, expired };
  }

  async set(channel: string, entry: PresenceWrite, ttl: number): Promise<void> {
    checkTtl(ttl);
    let presence = this.channels.get(channel);
    if (presence === undefined) {
      presence = new ChannelPresence();
      this.channels.set(channel, presence);
    }
    const existing = presence.entries.get(entry.clientId);
    const expiresAt = this.now() + ttl;
    const key = memberKey(entry);
    if (existing !== undefined && existing.key === key) {
      // A refresh keeps the connection's place among its member's connections.
      presence.entries.set(entry.clientId, {
        ...existing,
        expiresAt,
        info: structuredClone(entry.info),
      });
      // A write may shorten an entry's life (a closing node's lost connections).
      if (expiresAt < presence.nextExpiry) presence.nextExpiry = expiresAt;
      return;
    }
    const stored = { userId: entry.userId, info: structuredClone(entry.info), key, expiresAt };
    presence.add(entry.clientId, stored);
  }

  async remove(channel: string, clientId: string): Promise<PresenceEntry | undefined> {
    const { presence } = this.read(channel);
    const entry = presence?.delete(clientId);
    if (presence?.entries.size === 0) this.channels.delete(channel);
    return entry;
  }

  async count(channel: string) {
    const { presence, expired } = this.read(channel);
    return { ...(presence?.count() ?? { members: 0, connections: 0 }), expired };
  }

  async page(
    channel: string,
    options: { cursor?: string; limit: number },
  ): Promise<PresenceStorePage> {
    const { presence, expired } = this.read(channel);
    if (presence === undefined || presence.entries.size === 0) {
      return { count: { members: 0, connections: 0 }, members: [], cursor: null, expired };
    }
    const { cursor, limit } = options;
    const keys = presence.keysAfter(cursor, limit);
    const members = keys.slice(0, limit).map((key) => presence.member(key));
    const last = keys[limit - 1];
    return {
      count: presence.count(),
      members,
      cursor: keys.length > limit && last !== undefined ? last : null,
      expired,
    };
  }

  async expire(channel: string): Promise<readonly PresenceEntry[]> {
    return this.read(channel).expired;
  }
}

/** A ttl must be a positive number of milliseconds. */
export function checkTtl(ttl: number): void {
  if (!Number.isFinite(ttl) || ttl <= 0) {
    throw new SwitchyardError("internal_error", "presence ttl must be a positive number", { ttl });
  }
}
