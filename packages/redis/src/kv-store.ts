import type { Broker } from "@switchyard/server";
import { RESP_TYPES } from "redis";
import { decodeValue, encodeValue } from "./encoding.js";
import { viaRedis } from "./errors.js";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";
import { KV_CLAIM, KV_SET_VERSIONED } from "./scripts.js";

/** The shared key-value store every broker offers (`Broker["kv"]`). */
export type KeyValueStore = Broker["kv"];

/** Milliseconds for PX/PEXPIRE: whole, at least 1 (0 means "already expired"). */
function millis(ttl: number): number {
  return Math.max(1, Math.ceil(ttl));
}

/**
 * The Redis broker's key-value store: values are MessagePack strings (binary data and nested
 * structures round-trip), sets are Redis sets, both under the broker's prefix with the ttl as
 * the key's expiry, so every node sees the same documents and Redis drops expired ones.
 */
export function createKeyValueStore(link: RedisLink, keys: RedisKeys): KeyValueStore {
  return {
    get: (key) =>
      viaRedis(async () => {
        const bytes = await link
          .client()
          .withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
          .get(keys.kvValue(key));
        return bytes === null ? undefined : decodeValue(bytes as Buffer);
      }),

    set: (key, value, ttl) =>
      viaRedis(async () => {
        const client = link.client();
        const name = keys.kvValue(key);
        if (ttl !== undefined && !(ttl > 0)) {
          await client.del(name);
          return;
        }
        const bytes = encodeValue(value);
        if (ttl === undefined) await client.set(name, bytes);
        else await client.set(name, bytes, { expiration: { type: "PX", value: millis(ttl) } });
      }),

    claim: (key, value, ttl) =>
      viaRedis(async () => {
        const before = await link.run<Buffer | null>(
          KV_CLAIM,
          [keys.kvValue(key)],
          [encodeValue(value), ttl === undefined ? "" : String(millis(ttl))],
        );
        return before === null ? undefined : decodeValue(before);
      }),

    getVersioned: (key) =>
      viaRedis(async () => {
        const [value, revision] = await link
          .client()
          .withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
          .hmGet(keys.kvVersioned(key), ["v", "r"]);
        if (value === null || value === undefined || revision === null || revision === undefined) {
          return undefined;
        }
        return { value: decodeValue(value as Buffer), revision: Number(String(revision)) };
      }),

    setVersioned: (key, value, revision, ttl) =>
      viaRedis(async () => {
        const next = await link.run<number>(
          KV_SET_VERSIONED,
          [keys.kvVersioned(key)],
          [encodeValue(value), String(revision), ttl === undefined ? "" : String(millis(ttl))],
        );
        return next === 0 ? undefined : next;
      }),

    delete: (key) =>
      viaRedis(async () => {
        await link.client().del([keys.kvValue(key), keys.kvSet(key), keys.kvVersioned(key)]);
      }),

    addToSet: (key, member, ttl) =>
      viaRedis(async () => {
        const name = keys.kvSet(key);
        const multi = link.client().multi().sAdd(name, member);
        if (ttl === undefined) multi.persist(name);
        else multi.pExpire(name, ttl > 0 ? millis(ttl) : 1);
        await multi.exec();
      }),

    removeFromSet: (key, member) =>
      viaRedis(async () => {
        await link.client().sRem(keys.kvSet(key), member);
      }),

    members: (key) => viaRedis(() => link.client().sMembers(keys.kvSet(key))),
  };
}
