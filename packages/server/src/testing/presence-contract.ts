import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { PresenceStore } from "../broker/presence.js";

/**
 * The contract every {@link PresenceStore} passes (the memory broker's, Redis's). Channels are
 * unique per test, so a shared backing store may keep data between runs.
 */
export function presenceContract(
  name: string,
  makeStore: () => PresenceStore | Promise<PresenceStore>,
  options: { dispose?: (store: PresenceStore) => Promise<void> | void } = {},
): void {
  describe(`presence store contract: ${name}`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    let count = 0;
    const channel = () => `room:contract-${run}-${count++}`;
    const stores: PresenceStore[] = [];
    const open = async () => {
      const store = await makeStore();
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores.splice(0)) await options.dispose?.(store);
    });
    const ttl = 60_000;

    it("groups connections by user: three tabs are one member; anonymous ones are alone", async () => {
      const store = await open();
      const room = channel();
      const avatar = new Uint8Array([1, 2, 3]);
      await store.set(room, { clientId: "a1", userId: "alice", info: { avatar } }, ttl);
      await store.set(room, { clientId: "a2", userId: "alice", info: { tab: 2 } }, ttl);
      await store.set(room, { clientId: "a3", userId: "alice", info: null }, ttl);
      await store.set(room, { clientId: "b1", userId: "bob", info: "bob" }, ttl);
      await store.set(room, { clientId: "x1", userId: null, info: null }, ttl);
      await store.set(room, { clientId: "x2", userId: null, info: null }, ttl);
      const { expired, ...counted } = await store.count(room);
      expect(counted).toEqual({ members: 4, connections: 6 });
      expect(expired).toEqual([]);
      const page = await store.page(room, { limit: 10 });
      expect(page.count).toEqual({ members: 4, connections: 6 });
      expect(page.cursor).toBeNull();
      expect(page.members.map((m) => [m.userId, [...m.clientIds].sort()])).toEqual([
        ["alice", ["a1", "a2", "a3"]],
        ["bob", ["b1"]],
        [null, ["x1"]],
        [null, ["x2"]],
      ]);
      expect(page.members[0]?.info).toEqual({ avatar });
      expect(page.members[1]?.info).toBe("bob");
      expect(await store.count(channel())).toEqual({ members: 0, connections: 0, expired: [] });
    });

    it("pages members in a stable order with a cursor, each member exactly once", async () => {
      const store = await open();
      const room = channel();
      const users = Array.from({ length: 25 }, (_, i) => `user-${String(i).padStart(2, "0")}`);
      for (const user of users) {
        await store.set(room, { clientId: `${user}-1`, userId: user, info: user }, ttl);
        await store.set(room, { clientId: `${user}-2`, userId: user, info: user }, ttl);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.page(room, { limit: 10, ...(cursor ? { cursor } : {}) });
        pages++;
        expect(page.members.length).toBeLessThanOrEqual(10);
        for (const member of page.members) {
          expect(member.clientIds).toHaveLength(2);
          seen.push(member.userId ?? "");
        }
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(users);
    });

    it("refreshes an entry in place, with its new info", async () => {
      const store = await open();
      const room = channel();
      await store.set(room, { clientId: "c1", userId: "u", info: { v: 1 } }, ttl);
      await store.set(room, { clientId: "c2", userId: "u", info: { v: 9 } }, ttl);
      await store.set(room, { clientId: "c1", userId: "u", info: { v: 2 } }, ttl * 2);
      const page = await store.page(room, { limit: 10 });
      expect(page.count).toEqual({ members: 1, connections: 2 });
      expect(page.members[0]?.clientIds).toEqual(["c1", "c2"]);
      expect(page.members[0]?.info).toEqual({ v: 2 });
    });

    it("removes an entry once: the second removal finds nothing", async () => {
      const store = await open();
      const room = channel();
      await store.set(room, { clientId: "c1", userId: "u", info: { name: "U" } }, ttl);
      const [first, second] = await Promise.all([
        store.remove(room, "c1"),
        store.remove(room, "c1"),
      ]);
      const removed = [first, second].filter((entry) => entry !== undefined);
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatchObject({ clientId: "c1", userId: "u", info: { name: "U" } });
      expect(await store.count(room)).toEqual({ members: 0, connections: 0, expired: [] });
      expect(await store.remove(room, "never")).toBeUndefined();
    });

    it("hands each expired entry to exactly one read, which takes it out", async () => {
      const store = await open();
      const room = channel();
      await store.set(room, { clientId: "gone", userId: "g", info: { name: "G" } }, 100);
      await store.set(room, { clientId: "kept", userId: "k", info: null }, ttl);
      expect((await store.count(room)).connections).toBe(2);
      // Expiry is what is under test, so time itself has to pass.
      await delay(250);
      const [counted, paged, expired] = await Promise.all([
        store.count(room),
        store.page(room, { limit: 10 }),
        store.expire(room),
      ]);
      const all = [...counted.expired, ...paged.expired, ...expired];
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ clientId: "gone", userId: "g", info: { name: "G" } });
      expect(counted).toMatchObject({ members: 1, connections: 1 });
      expect(paged.members.map((m) => m.userId)).toEqual(["k"]);
      expect(await store.remove(room, "gone")).toBeUndefined();
      expect(await store.expire(room)).toEqual([]);
    });

    it("refuses a ttl that is not positive", async () => {
      const store = await open();
      await expect(
        store.set(channel(), { clientId: "c", userId: null, info: null }, 0),
      ).rejects.toThrow(/ttl/);
    });
  });
}
