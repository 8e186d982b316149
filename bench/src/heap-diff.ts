import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fmt, markdownTable } from "./report.js";

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count of the heap's objects, by type and constructor or name. */
function census(path: string): Map<string, { count: number; bytes: number }> {
  const heap = JSON.parse(readFileSync(path, "utf8")) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt]!] ?? "?";
    const name =
      type === "object" || type === "closure" ? heap.strings[heap.nodes[i + nameAt]!] : "";
    const key = name ? `${type} ${name}` : `(${type})`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += heap.nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

/**
 * Compares two heap snapshots of one server, before and after `connections` clients
 * connected: the growth per connection by object type, largest first.
 */
export function heapDiff(before: string, after: string, connections: number, top = 30): string {
  const a = census(before);
  const b = census(after);
  const rows = [...b.entries()]
    .map(([key, entry]) => {
      const old = a.get(key) ?? { count: 0, bytes: 0 };
      return { key, count: entry.count - old.count, bytes: entry.bytes - old.bytes };
    })
    .sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  return [
    `${basename(before)} → ${basename(after)}: JS heap +${fmt(total / connections)} bytes per connection`,
    "",
    markdownTable(
      ["bytes/connection", "objects/connection", "object"],
      rows
        .slice(0, top)
        .map((row) => [fmt(row.bytes / connections), fmt(row.count / connections), row.key]),
    ),
  ].join("\n");
}
