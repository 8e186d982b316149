/** One markdown table: its header cells and its rows of cells (backticks removed). */
export interface Table {
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

/** Every table of `markdown`, in order. */
export function tables(markdown: string): Table[] {
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

/**
 * The text of each level-2 section of `markdown` (`## POST /api/publish` → its text up to the
 * next `## `), keyed by its heading without the `## `.
 */
export function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of markdown.split(/^## /m).slice(1)) {
    const newline = part.indexOf("\n");
    found.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return found;
}

/** The tables of `markdown` whose header is `header`. */
export function tablesWithHeader(markdown: string, header: readonly string[]): Table[] {
  return tables(markdown).filter((table) => table.header.join("|") === header.join("|"));
}
