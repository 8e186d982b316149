import { readFileSync } from "node:fs";
import {
  CLOSE_RANGES,
  type CloseAction,
  closeActionOf,
  closeCodeOf,
  ERROR_CODES,
  ERRORS,
  type ErrorSpec,
  isErrorCode,
} from "@switchyard/protocol";
import { describe, expect, it } from "vitest";

// docs/errors.md must document every error code exactly as the code table defines it.
const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

const NONE = "—";

/** One markdown table: its header cells and its rows of cells (backticks removed). */
interface Table {
  header: string[];
  rows: string[][];
}

function cells(line: string): string[] {
  // Split on pipes that are not escaped as `\|` inside a cell.
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll("\\|", "|").replaceAll("`", ""));
}

function tables(markdown: string): Table[] {
  const found: Table[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.startsWith("|") || !/^\|\s*-{3,}/.test(lines[i + 1] ?? "")) continue;
    const table: Table = { header: cells(line), rows: [] };
    i += 2;
    while (i < lines.length && (lines[i] ?? "").startsWith("|")) {
      table.rows.push(cells(lines[i] ?? ""));
      i++;
    }
    found.push(table);
  }
  return found;
}

function tableWithHeader(header: string[]): Table {
  const matches = tables(doc).filter((t) => t.header.join("|") === header.join("|"));
  expect(matches, `exactly one table headed | ${header.join(" | ")} |`).toHaveLength(1);
  return matches[0] as Table;
}

const errorTable = tableWithHeader([
  "code",
  "HTTP status",
  "close code",
  "client action",
  "when it happens",
]);

describe("docs/errors.md", () => {
  it("has well-formed rows", () => {
    for (const row of errorTable.rows) expect(row, row.join(" | ")).toHaveLength(5);
  });

  it("documents every error code exactly once", () => {
    const documented = errorTable.rows.map((row) => row[0]);
    const missing = ERROR_CODES.filter((code) => !documented.includes(code));
    expect(missing, "codes missing from docs/errors.md").toEqual([]);
    const duplicated = documented.filter((code, index) => documented.indexOf(code) !== index);
    expect(duplicated, "codes listed twice").toEqual([]);
  });

  it("lists no code that does not exist", () => {
    const unknown = errorTable.rows.map((row) => row[0]).filter((code) => !isErrorCode(code));
    expect(unknown, "codes in docs/errors.md but not in ERRORS").toEqual([]);
  });

  it("gives each code its HTTP status, close code and client action", () => {
    for (const [code, status, close, action] of errorTable.rows) {
      if (!isErrorCode(code)) continue;
      const closeCode = closeCodeOf(code);
      expect({ code, status, close, action }).toEqual({
        code,
        status: String((ERRORS[code] as ErrorSpec).status ?? NONE),
        close: closeCode === undefined ? NONE : String(closeCode),
        action: closeCode === undefined ? NONE : closeActionOf(closeCode),
      });
    }
  });

  it("says specifically when each code happens", () => {
    for (const [code, , , , when] of errorTable.rows) {
      expect(when?.length ?? 0, `description of ${code}`).toBeGreaterThan(40);
      if (isErrorCode(code)) expect(when).not.toBe(ERRORS[code].message);
    }
  });

  it("describes the close-code classes as the code defines them", () => {
    const classes = tableWithHeader(["close codes", "class", "what the client does"]);
    const seen = new Set<CloseAction>();
    for (const [range, action] of classes.rows) {
      const bounds = /^(\d{4})–(\d{4})$/.exec(range ?? "");
      if (!bounds) continue;
      const [low, high] = [Number(bounds[1]), Number(bounds[2])];
      expect(action).toBe(closeActionOf(low));
      expect(action).toBe(closeActionOf(high));
      seen.add(action as CloseAction);
      const declared = CLOSE_RANGES[action as CloseAction];
      if (declared[0] === low) expect(declared[1]).toBe(high);
    }
    expect([...seen].sort()).toEqual(Object.keys(CLOSE_RANGES).sort());
  });

  it("documents the standard close codes the server uses", () => {
    const standard = tableWithHeader(["close code", "name", "client action", "when it happens"]);
    const codes = standard.rows.map((row) => Number(row[0]));
    expect(codes).toEqual(expect.arrayContaining([1000, 1001, 1006, 1009]));
    for (const [close, , action] of standard.rows) {
      expect(action, `action of ${close}`).toBe(closeActionOf(Number(close)));
    }
  });
});
