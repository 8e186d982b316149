import type { StateChange, StateDocument, StateEntry } from "@switchyard/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StateDocumentModel } from "../src/state-document.js";

const entry = (value: unknown, version: number): StateEntry => ({
  value,
  version,
  updatedBy: "alice",
  updatedAt: 1000 + version,
});
const set = (key: string, value: unknown, version: number): StateChange => ({
  key,
  ...entry(value, version),
});
const del = (key: string, version: number): StateChange => ({
  key,
  deleted: true,
  version,
  updatedBy: "alice",
  updatedAt: 1000 + version,
});
const doc = (version: number, entries: Record<string, StateEntry>): StateDocument => ({
  name: "settings",
  version,
  entries,
});

describe("the confirmed layer", () => {
  it("applies a change only when it is newer than the key's, tombstones included", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(1, {}));
    model.applyChanges([set("a", 1, 3)], [3]);
    model.applyChanges([set("a", 0, 2)], [2]);
    expect(model.values()).toEqual({ a: 1 });
    model.applyChanges([del("a", 5)], [5]);
    // A set older than the delete arrives late (another node's batch): the key stays deleted.
    model.applyChanges([set("a", 2, 4)], [4]);
    expect(model.values()).toEqual({});
    expect(model.version).toBe(5);
    model.applyChanges([set("a", 3, 6)], [6]);
    expect(model.entries()).toEqual({ a: entry(3, 6) });
  });

  it("keeps its version at the watermark: it waits for a missing write and jumps when it arrives", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(2, { a: entry(1, 2) }));
    // Node A's batch (writes 4 and 5) arrives before node B's (write 3).
    expect(model.applyChanges([set("a", 5, 5), set("b", 4, 4)], [4, 5])).toBe(true);
    // Its changes show at once; the version stays below the missing write.
    expect(model.values()).toEqual({ a: 5, b: 4 });
    expect(model.version).toBe(2);
    expect(model.latestVersion).toBe(5);
    // B's batch: write 3, whose change of a is stale by now.
    expect(model.applyChanges([set("a", 3, 3)], [3])).toBe(true);
    expect(model.values()).toEqual({ a: 5, b: 4 });
    expect(model.version).toBe(5);
  });

  it("counts a write whose changes a later one superseded as seen through the batch's writes", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 2, 2)], [1, 2]);
    expect(model.version).toBe(2);
    // Only the changes' versions (no writes listed): write 3 stays unknown.
    model.applyChanges([set("a", 4, 4)]);
    expect(model.version).toBe(2);
    expect(model.latestVersion).toBe(4);
  });

  it("closes a gap with a document at or above it, and ignores versions it already covers", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 1)], [1]);
    model.applyChanges([set("b", 1, 4)], [4]);
    model.applyChanges([set("c", 1, 7)], [7]);
    expect(model.version).toBe(1);
    // A state.get reply at 5 covers 2–5: the watermark goes to 5, then 6 is missing.
    model.applyDocument(doc(5, { a: entry(1, 1), b: entry(1, 4), d: entry(1, 3) }));
    expect(model.version).toBe(5);
    expect(model.values()).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(model.applyChanges([set("d", 1, 3)], [3])).toBe(false);
    model.applyChanges([], [6]);
    expect(model.version).toBe(7);
  });

  it("counts a write's reply as seen, but not the version of a reply that changed nothing", () => {
    const model = new StateDocumentModel();
    model.applyReply({ version: 1, changes: [set("a", 1, 1)] });
    expect(model.version).toBe(1);
    model.applyReply({ version: 3, changes: [] });
    expect(model.version).toBe(1);
    expect(model.latestVersion).toBe(3);
    // A conflict's current entries and version: seen, not known whole.
    model.applyEntries({ b: entry(2, 2) });
    model.seeVersion(4);
    expect(model.version).toBe(1);
    expect(model.latestVersion).toBe(4);
  });

  it("takes a document as authoritative at its version: absent keys not newer are deleted", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 1), set("b", 1, 2), set("c", 1, 9)], [1, 2, 9]);
    model.applyDocument(doc(8, { a: entry(5, 8) }));
    // b (version 2) is gone from the version-8 document; c (version 9) is newer than it.
    expect(model.values()).toEqual({ a: 5, c: 1 });
    expect(model.version).toBe(9);
    expect(model.loaded).toBe(true);
  });

  it("ignores changes a document already reflects, even for keys it lacks", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(10, { a: entry(1, 4) }));
    // b was set at 6 and deleted by 10: its late set must not bring it back.
    expect(model.applyChanges([set("b", 1, 6)], [6])).toBe(false);
    expect(model.applyChanges([set("a", 0, 3)])).toBe(false);
    expect(model.values()).toEqual({ a: 1 });
  });

  it("merges an older document without going back", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(10, { a: entry(1, 10) }));
    model.applyDocument(doc(6, { a: entry(0, 6), b: entry(0, 5) }));
    expect(model.document("settings")).toEqual(doc(10, { a: entry(1, 10) }));
  });

  it("applies a key's default (version 0) from the first document", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(0, { "physics.damping": entry(0.5, 0) }));
    expect(model.values()).toEqual({ "physics.damping": 0.5 });
  });

  it("applies a reload: keys it lacks are deleted, newer ones kept", () => {
    const model = new StateDocumentModel();
    model.applyDocument(doc(4, { a: entry(1, 1), b: entry(2, 4) }));
    model.applyChanges([set("c", 3, 6)], [6]);
    model.applyDocument(doc(5, { b: entry(9, 5) }));
    expect(model.values()).toEqual({ b: 9, c: 3 });
  });

  it("replaces everything on a reset to an older document (the hub lost the document)", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 40), set("b", 1, 41)], [41]);
    model.applyDocument(doc(2, { a: entry(7, 2) }), { reset: true });
    expect(model.document("settings")).toEqual(doc(2, { a: entry(7, 2) }));
    // The new history's changes apply again.
    model.applyChanges([set("b", 8, 3)], [3]);
    expect(model.values()).toEqual({ a: 7, b: 8 });
  });

  it("takes the current entries of a conflict; a deleted one carries no version", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 1)], [1]);
    model.applyEntries({ a: entry(4, 6), b: null });
    expect(model.values()).toEqual({ a: 4 });
  });
});

describe("the optimistic layer", () => {
  it("shows a write at once and hides the echo of older changes until it is answered", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 1)], [1]);
    model.addPending({ id: 1, set: { a: 2 }, delete: [] });
    expect(model.values()).toEqual({ a: 2 });
    expect(model.pendingKeys()).toEqual(["a"]);
    // Someone else's change arrives meanwhile: the confirmed layer takes it, the shown value stays.
    model.applyChanges([set("a", 9, 2)], [2]);
    expect(model.values()).toEqual({ a: 2 });
    expect(model.entries()).toEqual({ a: entry(9, 2) });
    // The hub applied ours after it: the reply's change is the newest.
    model.settle(1, { version: 3, changes: [set("a", 2, 3)] });
    expect(model.values()).toEqual({ a: 2 });
    expect(model.pendingKeys()).toEqual([]);
  });

  it("keeps showing the last of several writes until the last is answered", () => {
    const model = new StateDocumentModel();
    model.addPending({ id: 1, set: { a: 1 }, delete: [] });
    model.addPending({ id: 2, set: { a: 2 }, delete: [] });
    model.settle(1, { version: 1, changes: [set("a", 1, 1)] });
    // The echo of the first write must not flash the older value.
    model.applyChanges([set("a", 1, 1)], [1]);
    expect(model.values()).toEqual({ a: 2 });
    model.settle(2, { version: 2, changes: [set("a", 2, 2)] });
    expect(model.values()).toEqual({ a: 2 });
  });

  it("rolls a refused write back to the confirmed value", () => {
    const model = new StateDocumentModel();
    model.applyChanges([set("a", 1, 1), set("b", 1, 1)], [1]);
    model.addPending({ id: 1, set: { a: 5 }, delete: ["b"] });
    expect(model.values()).toEqual({ a: 5 });
    const revision = model.revision;
    model.settle(1);
    expect(model.revision).toBeGreaterThan(revision);
    expect(model.values()).toEqual({ a: 1, b: 1 });
  });
});

/** A document's history as a hub makes it: random writes of a few keys, one version each. */
function history(writes: { key: number; value: number | null }[][]) {
  const changes: StateChange[][] = [];
  const documents: StateDocument[] = [doc(0, {})];
  let entries: Record<string, StateEntry> = {};
  writes.forEach((write, index) => {
    const version = index + 1;
    const batch = new Map<string, StateChange>();
    for (const { key, value } of write) {
      const name = `k${key}`;
      batch.set(name, value === null ? del(name, version) : set(name, value, version));
    }
    entries = { ...entries };
    for (const change of batch.values()) {
      if (change.deleted) delete entries[change.key];
      else entries[change.key] = entry(change.value, version);
    }
    changes.push([...batch.values()]);
    documents.push(doc(version, entries));
  });
  return { changes, documents, final: documents[documents.length - 1] as StateDocument };
}

const write = fc.array(fc.record({ key: fc.nat(4), value: fc.option(fc.nat(99), { freq: 4 }) }), {
  minLength: 1,
  maxLength: 3,
});

describe("convergence", () => {
  it("reaches the hub's document from its changes delivered in any order, some twice, with documents of any age among them", () => {
    fc.assert(
      fc.property(
        fc.array(write, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.infiniteStream(fc.nat()),
        (writes, snapshotAt, repeats, order) => {
          const { changes, documents, final } = history(writes);
          type Item = { changes: StateChange[]; version: number } | { document: StateDocument };
          const items: Item[] = changes.map((batch, index) => ({
            changes: batch,
            version: index + 1,
          }));
          for (const at of snapshotAt) {
            items.push({ document: documents[at % documents.length] as StateDocument });
          }
          for (const at of repeats) items.push(items[at % items.length] as Item);
          // Shuffle with the generated stream (Fisher–Yates).
          const source = order[Symbol.iterator]();
          for (let i = items.length - 1; i > 0; i--) {
            const j = (source.next().value as number) % (i + 1);
            [items[i], items[j]] = [items[j] as Item, items[i] as Item];
          }
          const model = new StateDocumentModel();
          for (const item of items) {
            if ("document" in item) model.applyDocument(item.document);
            else model.applyChanges(item.changes, [item.version]);
          }
          expect(model.document("settings")).toEqual(final);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the watermark", () => {
  it("never passes a write the model has not seen, whatever batches nodes make, and in whatever order or loss they arrive", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(write, fc.nat(5)), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(5), { maxLength: 2 }),
        fc.infiniteStream(fc.nat()),
        (writes, lost, order) => {
          const { changes, documents, final } = history(writes.map(([w]) => w));
          // Each write goes into one node's batch (newest change per key, every write listed).
          const batches = new Map<
            number,
            { changes: Map<string, StateChange>; writes: number[] }
          >();
          writes.forEach(([, batch], index) => {
            const held = batches.get(batch) ?? { changes: new Map(), writes: [] as number[] };
            for (const change of changes[index] ?? []) held.changes.set(change.key, change);
            held.writes.push(index + 1);
            batches.set(batch, held);
          });
          const items = [...batches].filter(([id]) => !lost.includes(id)).map(([, b]) => b);
          const source = order[Symbol.iterator]();
          for (let i = items.length - 1; i > 0; i--) {
            const j = (source.next().value as number) % (i + 1);
            [items[i], items[j]] = [items[j] as (typeof items)[0], items[i] as (typeof items)[0]];
          }
          const model = new StateDocumentModel();
          model.applyDocument(documents[0] as StateDocument);
          const check = () => {
            // Every key as the hub had it at the model's version is reflected (or newer).
            const at = documents[model.version] as StateDocument;
            const held = model.entries();
            for (const [key, hub] of Object.entries(at.entries)) {
              expect(model.heldVersion(key)).toBeGreaterThanOrEqual(hub.version);
            }
            for (const [key, mine] of Object.entries(held)) {
              if (!(key in at.entries)) expect(mine.version).toBeGreaterThan(at.version);
            }
          };
          for (const batch of items) {
            model.applyChanges([...batch.changes.values()], batch.writes);
            check();
          }
          if (lost.every((id) => !batches.has(id))) {
            expect(model.document("settings")).toEqual(final);
          }
          // The gap refetch: the current document closes whatever was lost.
          model.applyDocument(final);
          check();
          expect(model.document("settings")).toEqual(final);
        },
      ),
      { numRuns: 300 },
    );
  });
});
