import { SwitchyardError } from "@switchyard/protocol";
import { decodeValue, encodeValue } from "./encoding.js";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";
import { PRESENCE_LIST, PRESENCE_SET } from "./scripts.js";

/** One client present on a channel. */
export interface PresenceEntry {
  clientId: string;
  /** What the node stored with the entry (user, session, app data). */
  info: unknown;
  /** When the entry expires unless refreshed, in milliseconds since the Unix epoch (Redis clock). */
  expiresAt: number;
}

/**
 * Cluster-wide storage of who is present on each channel, for the presence feature. Each node
 * writes the entries of its own clients and refreshes them before their ttl runs out; the
 * entries of a node that crashed expire by themselves. Join/leave events are the feature's
 * job, not the store's.
 *
 * Only the Redis broker has it for now; the memory broker's equivalent comes with the
 * presence feature.
 */
export interface PresenceStore {
  /** Adds or refreshes `clientId` on `channel` for `ttl` ms from now (Redis clock). */
  set(channel: string, clientId: string, info: unknown, ttl: number): Promise<void>;
  /** Removes `clientId` from `channel`. */
  remove(channel: string, clientId: string): Promise<void>;
  /** The unexpired entries of `channel`, in no particular order. */
  list(channel: string): Promise<PresenceEntry[]>;
}

/** The presence store of a Redis broker. */
export function createPresenceStore(link: RedisLink, keys: RedisKeys): PresenceStore {
  return {
    async set(channel, clientId, info, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) {
        throw new SwitchyardError("internal_error", "presence ttl must be a positive number", {
          ttl,
        });
      }
      await link.run(
        PRESENCE_SET,
        [keys.presenceExpiry(channel), keys.presenceInfo(channel)],
        [clientId, encodeValue(info), String(Math.ceil(ttl))],
      );
    },

    async remove(channel, clientId) {
      await link
        .client()
        .multi()
        .zRem(keys.presenceExpiry(channel), clientId)
        .hDel(keys.presenceInfo(channel), clientId)
        .exec();
    },

    async list(channel) {
      const flat = await link.run<Buffer[]>(
        PRESENCE_LIST,
        [keys.presenceExpiry(channel), keys.presenceInfo(channel)],
        [],
      );
      const entries: PresenceEntry[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        entries.push({
          clientId: String(flat[i]),
          expiresAt: Number(String(flat[i + 1])),
          info: decodeValue(flat[i + 2] as Buffer),
        });
      }
      return entries;
    },
  };
}
