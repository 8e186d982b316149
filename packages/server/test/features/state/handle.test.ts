import type { StateChange } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { createHub, type Hub, type HubOptions } from "../../../src/index.js";
import { onCleanup } from "../../helpers/fixtures.js";
import { codeOf } from "../jobs/helpers.js";

function hub(options: HubOptions["state"]): Hub {
  const made = createHub({ state: options });
  onCleanup(() => made.close({ timeout: 0 }));
  return made;
}

describe("hub.state(name)", () => {
  it("throws state_not_found for an undeclared name; an exact name wins over a prefix", async () => {
    const h = hub({
      documents: {
        "p-*": { keys: { a: {} } },
        "p-long-*": { keys: { b: {} } },
        "p-exact": { keys: { c: {} } },
      },
    });
    expect(() => h.state("q-1")).toThrowError(expect.objectContaining({ code: "state_not_found" }));
    expect((await h.state("p-1").set("a", 1)).version).toBe(1);
    expect(await codeOf(h.state("p-long-1").set("a", 1))).toBe("state_unknown_key");
    expect((await h.state("p-long-1").set("b", 1)).version).toBe(1);
    expect(await codeOf(h.state("p-exact").set("b", 1))).toBe("state_unknown_key");
    expect(() =>
      createHub({ state: { documents: { "x-*": { file: { path: "x.json" } } } } }),
    ).toThrow(/exact name/);
  });

  it("reports this node's writes to change listeners, with the writer, and counts them", async () => {
    const h = hub({ documents: { settings: {} } });
    const seen: { version: number; changes: readonly StateChange[]; by: string | null }[] = [];
    const stop = h.state("settings").on("change", (change) => seen.push(change));
    await h.state("settings").set("a", 1, { by: "importer" });
    await h.state("settings").batch({ set: { b: 2 }, delete: ["a"] });
    stop();
    await h.state("settings").set("c", 3);
    expect(seen.map(({ version, by }) => [version, by])).toEqual([
      [1, "importer"],
      [2, "server"],
    ]);
    expect(await h.state("settings").value("b")).toBe(2);
    expect(h.stats().features.state).toMatchObject({ writes: 3, conflicts: 0 });
    const undone = await h.state("settings").undo("importer");
    // b's write by the server deleted a since: importer's undo conflicts on it.
    expect(undone.conflicts).toEqual([{ key: "a", entry: null }]);
    expect(h.stats().features.state?.conflicts).toBe(1);
  });

  it("refuses values that are not JSON", async () => {
    const h = hub({ documents: { settings: {} } });
    for (const value of [undefined, Number.NaN, new Date(), () => 1, { deep: [1, undefined] }]) {
      expect(await codeOf(h.state("settings").set("a", value))).toBe("state_invalid_value");
    }
    expect(await codeOf(h.state("settings").set("bad key", 1))).toBe("state_unknown_key");
    expect(await codeOf(h.state("settings").set("__proto__", 1))).toBe("state_unknown_key");
  });

  it("keeps undoDepth writes per user to undo", async () => {
    const h = hub({ documents: { settings: { undoDepth: 2 } } });
    const state = h.state("settings");
    for (const value of [1, 2, 3]) await state.set("a", value, { by: "ada" });
    expect((await state.undo("ada")).changes).toEqual([expect.objectContaining({ value: 2 })]);
    expect((await state.undo("ada")).changes).toEqual([expect.objectContaining({ value: 1 })]);
    expect(await state.undo("ada")).toMatchObject({ undone: false, changes: [], version: 5 });
    expect(await state.undo("bo")).toMatchObject({ undone: false });
    expect(await state.value("a")).toBe(1);
  });
});
