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
