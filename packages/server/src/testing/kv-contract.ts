import { afterEach, describe, expect, it } from "vitest";
import type { KeyValueStore } from "../broker/kv.js";

/**
 * The contract every {@link KeyValueStore} passes (the memory broker's, Redis's). Keys are
 * unique per run, so a shared backing store may keep data between runs.
 */
export function keyValueContract(
  name: string,
  makeStore: () => KeyValueStore | Promise<KeyValueStore>,
  options: { dispose?: (store: KeyValueStore) => Promise<void> | void } = {},
): void {
  describe(`key-value store contract: ${name}`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    let count = 0;
    const key = () => `kv-contract:${run}:${count++}`;
    const stores: KeyValueStore[] = [];
    const open = async () => {
      const store = await makeStore();
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores.splice(0)) await options.dispose?.(store);
    });

    it("returns what was set, as a copy, and undefined for absent keys", async () => {
      const store = await open();
      const k = key();
      expect(await store.get(k)).toBeUndefined();
      const value = { status: "running", percent: 40, chunks: [1, 2], nested: { ok: true } };
      await store.set(k, value);
      value.percent = 99;
      expect(await store.get(k)).toEqual({
        status: "running",
        percent: 40,
        chunks: [1, 2],
        nested: { ok: true },
      });
      await store.set(k, "replaced");
      expect(await store.get(k)).toBe("replaced");
      await store.delete(k);
      expect(await store.get(k)).toBeUndefined();
    });

    it("forgets values and sets after their ttl", async () => {
      const store = await open();
      const [value, set] = [key(), key()];
      await store.set(value, 1, 100);
      await store.addToSet(set, "a", 100);
      expect(await store.get(value)).toBe(1);
      expect(await store.members(set)).toEqual(["a"]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.get(value)).toBeUndefined();
      expect(await store.members(set)).toEqual([]);
    });

    it("claims a key for one value: stores it when absent, keeps another value", async () => {
      const store = await open();
      const k = key();
      expect(await store.claim(k, "ada")).toBeUndefined();
      expect(await store.get(k)).toBe("ada");
      expect(await store.claim(k, "ada")).toBe("ada");
      expect(await store.claim(k, "bob")).toBe("ada");
      expect(await store.get(k)).toBe("ada");
      const other = key();
      await store.set(other, { not: "a string" });
      expect(await store.claim(other, "ada")).toEqual({ not: "a string" });
      expect(await store.get(other)).toEqual({ not: "a string" });
    });

    it("lets exactly one of concurrent claims win", async () => {
      const store = await open();
      const k = key();
      const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
      const before = await Promise.all(values.map((value) => store.claim(k, value, 60_000)));
      const winners = values.filter((_, i) => before[i] === undefined);
      expect(winners).toHaveLength(1);
      const winner = winners[0];
      expect(before.filter((value) => value !== undefined && value !== winner)).toEqual([]);
      expect(await store.get(k)).toBe(winner);
    });

    it("renews the ttl of its own claim only, and frees the key when it runs out", async () => {
      const store = await open();
      const [renewed, kept, expired] = [key(), key(), key()];
      await store.claim(renewed, "ada", 150);
      await store.claim(kept, "ada", 150);
      await store.claim(expired, "ada", 150);
      expect(await store.claim(renewed, "ada", 60_000)).toBe("ada");
      // Another value's claim neither takes the key nor keeps it alive.
      expect(await store.claim(kept, "bob", 60_000)).toBe("ada");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.get(renewed)).toBe("ada");
      expect(await store.get(kept)).toBeUndefined();
      expect(await store.get(expired)).toBeUndefined();
      expect(await store.claim(expired, "bob", 60_000)).toBeUndefined();
      expect(await store.get(expired)).toBe("bob");
    });

    it("writes a versioned entry only from the revision it was read at", async () => {
      const store = await open();
      const k = key();
      expect(await store.getVersioned(k)).toBeUndefined();
      expect(await store.setVersioned(k, { a: 1 }, 1)).toBeUndefined();
      expect(await store.setVersioned(k, { a: 1 }, 0)).toBe(1);
      expect(await store.getVersioned(k)).toEqual({ value: { a: 1 }, revision: 1 });
      // A writer that read revision 0 comes too late.
      expect(await store.setVersioned(k, { a: 2 }, 0)).toBeUndefined();
      expect(await store.setVersioned(k, { a: 3, nested: [1, "x"] }, 1)).toBe(2);
      expect(await store.getVersioned(k)).toEqual({
        value: { a: 3, nested: [1, "x"] },
        revision: 2,
      });
      // A space of its own: plain values do not see it, delete removes it.
      expect(await store.get(k)).toBeUndefined();
      await store.delete(k);
      expect(await store.getVersioned(k)).toBeUndefined();
      expect(await store.setVersioned(k, "again", 0)).toBe(1);
    });

    it("lets exactly one of concurrent versioned writes from one revision win", async () => {
      const store = await open();
      const k = key();
      await store.setVersioned(k, "start", 0);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.setVersioned(k, `v${i}`, 1, 60_000)),
      );
      const winners = results.filter((revision) => revision !== undefined);
      expect(winners).toEqual([2]);
      const winner = results.indexOf(2);
      expect(await store.getVersioned(k)).toEqual({ value: `v${winner}`, revision: 2 });
    });

    it("forgets a versioned entry after its ttl, and counts from 0 again", async () => {
      const store = await open();
      const k = key();
      expect(await store.setVersioned(k, "short", 0, 100)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.getVersioned(k)).toBeUndefined();
      expect(await store.setVersioned(k, "new", 0)).toBe(1);
    });

    it("keeps sets of distinct members", async () => {
      const store = await open();
      const k = key();
      expect(await store.members(k)).toEqual([]);
      await store.addToSet(k, "a");
      await store.addToSet(k, "b");
      await store.addToSet(k, "a");
      expect((await store.members(k)).sort()).toEqual(["a", "b"]);
      await store.removeFromSet(k, "a");
      expect(await store.members(k)).toEqual(["b"]);
      await store.removeFromSet(k, "b");
      expect(await store.members(k)).toEqual([]);
    });
  });
}
