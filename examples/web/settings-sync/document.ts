/**
 * The settings document as the page sees it: its name and channel, the value types, and how
 * the page names a writer and formats a value.
 */
import {
  DOCUMENT,
  SETTINGS,
  type SettingSpec,
  type SettingValue,
} from "../../settings-sync/settings.js";

export { DOCUMENT };
export const DOCUMENT_CHANNEL = `state:${DOCUMENT}`;

/** The document's values, by key. */
export type Settings = Record<string, SettingValue>;

/** The spec of a key (every key the page shows is declared). */
export function specOf(key: string): SettingSpec {
  const spec = SETTINGS[key];
  if (!spec) throw new Error(`unknown setting ${key}`);
  return spec;
}

/** A key's value as text, with its unit: `0.95`, `2048 MB`, `on`, `msaa4x`. */
export function formatValue(spec: SettingSpec, value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (spec.kind === "boolean") return value ? "on" : "off";
  if (spec.kind === "number" && typeof value === "number") {
    const decimals = decimalsOf(spec.step);
    const text = value.toFixed(decimals);
    return spec.unit ? `${text} ${spec.unit}` : text;
  }
  return String(value);
}

/** Digits after the point that a step needs (0.01 → 2). */
export function decimalsOf(step: number): number {
  const text = String(step);
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}

/** `Physics › Damping` */
export function titleOf(key: string): string {
  const category = key.slice(0, key.indexOf("."));
  return `${category[0]?.toUpperCase() ?? ""}${category.slice(1)} › ${specOf(key).label}`;
}

/**
 * Who wrote, in words: `you` (one of this page's connections), `HTTP API` (a backend, as the
 * hub's `server` writer), `settings file`, `default` (never written), another client, or the
 * name a backend wrote with (`by`).
 */
export function authorName(
  updatedBy: string | null | undefined,
  mine: ReadonlySet<string>,
): string {
  if (updatedBy === null || updatedBy === undefined) return "default";
  if (mine.has(updatedBy)) return "you";
  if (updatedBy === "server") return "HTTP API";
  if (updatedBy === "file") return "settings file";
  // The hub's ids of anonymous clients; anything else is a name a backend gave (`by`).
  return /^[\w-]{16}$/.test(updatedBy) ? "another client" : updatedBy;
}

/** `18:21:04` */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour12: false });
}
