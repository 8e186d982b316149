import type { StateUndoResult, StateWriteResult } from "@switchyard/protocol";
import { expect, it } from "vitest";
import type { StateHarness } from "./state-harness.js";

/**
 * The part of the state contract about undo, deletes, read and write rules, and refused
 * input. Registered by `stateContract` inside its `describe` block.
 */
export function stateRulesContract({ nodes, client, fresh, codeOf }: StateHarness): void {
  it("undoes a user's last write and never overwrites a key someone changed since", async () => {
    const [a, b] = await nodes(2);
    if (!a || !b) throw new Error("nodes");
    const doc = fresh();
    const alice = await client(a, "alice");
    const bob = await client(b, "bob");
    await alice.rpc("state.write", { name: doc, set: { "view.title": "first" } });
    await alice.rpc("state.write", { name: doc, set: { "view.title": "second" } });
    const mine = await alice.rpc<StateWriteResult>("state.write", {
      name: doc,
      set: { "view.zoom": 3, notes: "n" },
    });
    const bobs = await bob.rpc<StateWriteResult>("state.write", {
      name: doc,
      set: { "view.zoom": 7 },
    });
    const undone = await alice.rpc<StateUndoResult>("state.undo", { name: doc });
    expect(undone.undone).toBe(true);
    expect(undone.conflicts).toEqual([
      {
        key: "view.zoom",
        entry: bobs.changes[0] && {
          value: 7,
          version: bobs.version,
          updatedBy: "bob",
          updatedAt: bobs.changes[0].updatedAt,
        },
      },
    ]);
    expect(undone.changes).toEqual([
      expect.objectContaining({ key: "notes", deleted: true, version: mine.version + 2 }),
    ]);
    // Undo goes on through alice's own writes: "second" back to "first", then to absent.
    const again = await alice.rpc<StateUndoResult>("state.undo", { name: doc });
    expect(again.conflicts).toEqual([]);
    expect(again.changes).toEqual([expect.objectContaining({ key: "view.title", value: "first" })]);
    const third = await alice.rpc<StateUndoResult>("state.undo", { name: doc });
    expect(third.changes).toEqual([expect.objectContaining({ key: "view.title", deleted: true })]);
    const nothing = await alice.rpc<StateUndoResult>("state.undo", { name: doc });
    expect(nothing).toMatchObject({ undone: false, changes: [], conflicts: [] });
    const document = await b.hub.state(doc).get();
    expect(document.entries["view.zoom"]?.value).toBe(7);
    expect(document.entries["view.title"]).toBeUndefined();
  });

  it("deletes keys as tombstones, and a key with a default gets its default back", async () => {
    const [a] = await nodes(1);
    if (!a) throw new Error("nodes");
    const doc = fresh();
    const state = a.hub.state(doc);
    await state.batch({ set: { "view.title": "x", "view.zoom": 4 } });
    const removed = await state.batch({ delete: ["view.title", "view.zoom", "notes"] });
    expect(removed.version).toBe(2);
    expect(removed.changes).toEqual([
      expect.objectContaining({ key: "view.title", deleted: true, version: 2 }),
      expect.objectContaining({ key: "view.zoom", value: 1, version: 2 }),
    ]);
    const document = await state.get();
    expect(document.entries["view.title"]).toBeUndefined();
    expect(document.entries["view.zoom"]).toMatchObject({ value: 1, version: 2 });
    // A delete counts as a change of the key for compare-and-set.
    expect((await codeOf(state.set("view.title", "y", { ifVersion: 1 }))).code).toBe(
      "state_conflict",
    );
    // Deleting only absent keys writes nothing.
    expect(await state.delete("notes")).toEqual({ version: 2, changes: [] });
  });

  it("applies read and write rules: forbidden with details.key", async () => {
    const [a] = await nodes(1);
    if (!a) throw new Error("nodes");
    const doc = fresh();
    const alice = await client(a, "alice");
    const admin = await client(a, "ada", { role: "admin" });
    const anonymous = await client(a, null);
    const refused = await codeOf(
      alice.rpc("state.write", { name: doc, set: { "view.zoom": 2, "physics.damping": 0.1 } }),
    );
    expect(refused).toEqual({ code: "forbidden", details: { key: "physics.damping" } });
    expect((await a.hub.state(doc).get()).version).toBe(0);
    await admin.rpc("state.write", { name: doc, set: { "physics.damping": 0.1 } });
    expect((await codeOf(anonymous.subscribe(`state:${doc}`))).code).toBe("forbidden");
    expect((await codeOf(anonymous.rpc("state.get", { name: doc }))).code).toBe("forbidden");
    const publish = await alice.request({
      type: "publish",
      channel: `state:${doc}`,
      event: "changes",
      data: { version: 9, changes: [] },
    });
    expect((publish.error as { code?: string } | undefined)?.code).toBe("forbidden");
    // An open document: anonymous clients read and write, as the client id.
    const open = fresh("free");
    const result = await anonymous.rpc<StateWriteResult>("state.write", {
      name: open,
      set: { anything: true },
    });
    expect(result.changes[0]?.updatedBy).toBe(anonymous.clientId);
  });

  it("refuses bad input, each with its code", async () => {
    const [a] = await nodes(1);
    if (!a) throw new Error("nodes");
    const doc = fresh();
    const alice = await client(a, "alice");
    const write = (data: Record<string, unknown>) => codeOf(alice.rpc("state.write", data));
    expect(await write({ name: doc, set: { "view.colour": 1 } })).toMatchObject({
      code: "state_unknown_key",
      details: { key: "view.colour" },
    });
    expect(await write({ name: doc, set: { "view.zoom": 99 } })).toMatchObject({
      code: "state_invalid_value",
      details: { key: "view.zoom" },
    });
    expect(await write({ name: doc, set: { notes: "x".repeat(300) } })).toMatchObject({
      code: "state_too_large",
      details: { key: "notes", limit: 256 },
    });
    // Each value fits, the document (2048 bytes) does not.
    const open = a.hub.state(fresh("free"));
    const values = (from: number, to: number) =>
      Object.fromEntries(
        Array.from({ length: to - from }, (_, i) => [`k${from + i}`, "x".repeat(200)]),
      );
    await open.batch({ set: values(0, 8) });
    expect(await codeOf(open.batch({ set: values(8, 12) }))).toMatchObject({
      code: "state_too_large",
      details: { limit: 2048 },
    });
    expect((await codeOf(open.reload(values(0, 12)))).code).toBe("state_too_large");
    expect(Object.keys((await open.get()).entries)).toHaveLength(8);
    const state = a.hub.state(doc);
    expect((await codeOf(state.reload({ notes: 1, extra: 1 }))).code).toBe("state_unknown_key");
    expect((await state.get()).version).toBe(0);
    expect(await write({ name: "nowhere", set: { a: 1 } })).toMatchObject({
      code: "state_not_found",
    });
    expect((await codeOf(alice.subscribe("state:nowhere"))).code).toBe("state_not_found");
    expect(await write({ name: doc, set: { "view.zoom": 2 }, ifVersion: -1 })).toMatchObject({
      code: "invalid_data",
    });
    expect(await write({ name: doc, color: 1 })).toMatchObject({ code: "invalid_data" });
  });
}
