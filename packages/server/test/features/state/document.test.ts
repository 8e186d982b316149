import { describe, expect, it } from "vitest";
import {
  applyReload,
  applyWrite,
  EMPTY_DOCUMENT,
  keyVersion,
  sameValue,
  toPublic,
} from "../../../src/features/state/document.js";

const stamp = (by: string, at = 1) => ({ by, at });
const none = new Map<string, unknown>();

describe("the state document model", () => {
  it("applies a write at the next version, deletes as tombstones, skips absent deletes", () => {
    const first = applyWrite(
      EMPTY_DOCUMENT,
      {
        set: new Map<string, unknown>([
          ["a", 1],
          ["b", 2],
        ]),
        delete: [],
      },
      stamp("ada"),
      none,
    );
    expect(first.document.version).toBe(1);
    const second = applyWrite(
      first.document,
      { set: new Map(), delete: ["a", "zz"] },
      stamp("bo"),
      none,
    );
    expect(second.changes).toEqual([
      { key: "a", deleted: true, version: 2, updatedBy: "bo", updatedAt: 1 },
    ]);
    expect(keyVersion(second.document, "a")).toBe(2);
    expect(keyVersion(second.document, "b")).toBe(1);
    expect(keyVersion(second.document, "zz")).toBe(0);
    const nothing = applyWrite(
      second.document,
      { set: new Map(), delete: ["zz"] },
      stamp("bo"),
      none,
    );
    expect(nothing.document).toBe(second.document);
    expect(nothing.changes).toEqual([]);
  });

  it("fills defaults for absent keys, at the version of their tombstone", () => {
    const defaults = new Map<string, unknown>([["zoom", 1]]);
    const set = applyWrite(
      EMPTY_DOCUMENT,
      { set: new Map([["zoom", 3]]), delete: [] },
      stamp("a"),
      defaults,
    );
    const removed = applyWrite(
      set.document,
      { set: new Map(), delete: ["zoom"] },
      stamp("b", 5),
      defaults,
    );
    expect(removed.changes).toEqual([
      { key: "zoom", value: 1, version: 2, updatedBy: "b", updatedAt: 5 },
    ]);
    expect(toPublic("d", removed.document, defaults).entries.zoom).toEqual({
      value: 1,
      version: 2,
      updatedBy: "b",
      updatedAt: 5,
    });
    expect(toPublic("d", EMPTY_DOCUMENT, defaults).entries.zoom?.version).toBe(0);
  });

  it("reloads: same values keep their entries, others are written, missing keys deleted", () => {
    const start = applyWrite(
      EMPTY_DOCUMENT,
      {
        set: new Map<string, unknown>([
          ["same", { x: 1, y: 2 }],
          ["changed", 1],
          ["gone", 1],
        ]),
        delete: [],
      },
      stamp("a"),
      none,
    );
    const reloaded = applyReload(
      start.document,
      new Map<string, unknown>([
        ["same", { y: 2, x: 1 }],
        ["changed", 2],
        ["new", 3],
      ]),
      stamp("file"),
      none,
    );
    expect(reloaded.document.version).toBe(2);
    expect(reloaded.document.entries.same?.version).toBe(1);
    expect(reloaded.changes.map((change) => [change.key, change.deleted ?? change.value])).toEqual([
      ["changed", 2],
      ["new", 3],
      ["gone", true],
    ]);
    expect(sameValue([1, { a: null }], [1, { a: null }])).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
