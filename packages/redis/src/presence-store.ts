import { type PresenceMember, SwitchyardError } from "@switchyard/protocol";
import type { PresenceEntry, PresenceStore, PresenceStorePage } from "@switchyard/server";
import { memberKey } from "@switchyard/server/broker";
import { decodeValue, encodeValue } from "./encoding.js";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";
import {
  PRESENCE_COUNT,
  PRESENCE_EXPIRE,
  PRESENCE_PAGE,
  PRESENCE_REMOVE,
  PRESENCE_SET,
} from "./scripts.js";

/** What the scripts answer: integers as numbers, strings as Buffers, arrays nested. */
type Reply = number | Buffer | Reply[] | null;

const SEPARATOR = 0;

/** The member key (`u<userId>` or `~<clientId>`) of a stored value `<key>\0<info>`. */
function split(value: Buffer): { userId: string | null; info: unknown } {
  const at = value.indexOf(SEPARATOR);
  const key = value.toString("utf8", 0, at);
  return {
    userId: key.startsWith("u") ? key.slice(1) : null,
    info: decodeValue(value.subarray(at + 1)),
  };
}

/** `{clientId, expiry, value}` triples, flat, as the scripts return taken entries. */
function entries(flat: Reply): PresenceEntry[] {
  const list = flat as Buffer[];
  const out: PresenceEntry[] = [];
  for (let i = 0; i + 2 < list.length; i += 3) {
    out.push({
      clientId: String(list[i]),
      expiresAt: Number(String(list[i + 1])),
      ...split(list[i + 2] as Buffer),
    });
  }
  return out;
}

function counts(reply: Reply): { members: number; connections: number } {
  const [connections, members] = reply as [number, number];
  return { members: Number(members), connections: Number(connections) };
}

/**
 * The presence store of a Redis broker: four keys per channel (docs/operations.md), each
 * operation one script, so reads that take expired entries out are atomic and exactly one node
 * gets each. Counts are `ZCARD` and `HLEN`; a page walks the lexical sorted set from the cursor.
 * The keys expire with their longest-lived entry, so a channel whose nodes all died leaves
 * nothing behind.
 */
export function createPresenceStore(link: RedisLink, keys: RedisKeys): PresenceStore {
  const keysOf = (channel: string) => [
    keys.presenceExpiry(channel),
    keys.presenceInfo(channel),
    keys.presenceOrder(channel),
    keys.presenceMembers(channel),
  ];

  return {
    async set(channel, entry, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) {
        throw new SwitchyardError("internal_error", "presence ttl must be a positive number", {
          ttl,
        });
      }
      await link.run(PRESENCE_SET, keysOf(channel), [
        entry.clientId,
        memberKey(entry),
        encodeValue(entry.info),
        String(Math.ceil(ttl)),
      ]);
    },

    async remove(channel, clientId) {
      const reply = await link.run<Reply>(PRESENCE_REMOVE, keysOf(channel), [clientId]);
      return reply === null ? undefined : entries(reply)[0];
    },

    async count(channel) {
      const [counted, expired] = await link.run<Reply[]>(PRESENCE_COUNT, keysOf(channel), []);
      return { ...counts(counted ?? []), expired: entries(expired ?? []) };
    },

    async page(channel, { cursor, limit }): Promise<PresenceStorePage> {
      const reply = await link.run<Reply[]>(PRESENCE_PAGE, keysOf(channel), [
        cursor ?? "",
        String(limit),
      ]);
      const [counted, expired, next, flat] = reply;
      const list = flat as Buffer[];
      const members: PresenceMember[] = [];
      let current: { key: string; member: PresenceMember & { clientIds: string[] } } | undefined;
      for (let i = 0; i + 1 < list.length; i += 2) {
        const clientId = String(list[i]);
        const value = list[i + 1] as Buffer;
        const key = value.toString("utf8", 0, value.indexOf(SEPARATOR));
        if (current?.key === key) {
          current.member.clientIds.push(clientId);
          continue;
        }
        const { userId, info } = split(value);
        current = { key, member: { userId, info, clientIds: [clientId] } };
        members.push(current.member);
      }
      const cursorText = String(next ?? "");
      return {
        count: counts(counted ?? []),
        members,
        cursor: cursorText === "" ? null : cursorText,
        expired: entries(expired ?? []),
      };
    },

    async expire(channel) {
      return entries(await link.run<Reply>(PRESENCE_EXPIRE, keysOf(channel), []));
    },
  };
}
