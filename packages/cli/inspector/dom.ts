/** Small DOM and formatting helpers shared by the inspector's panels. */

/** The element with `id`, checked to be of `type` (a missing element is a bug of the page). */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`inspector: no <${type.name}> #${id}`);
  return element;
}

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (`class`, `data-*`, `title`, ...) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

/** Event data as one line of text: JSON, with binary data shown as its size. */
export function formatData(value: unknown): string {
  if (value === undefined) return "";
  const text = JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof Uint8Array ? `<${inner.byteLength} bytes>` : inner,
  );
  return text ?? String(value);
}

/** `1234567` → `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `3725` seconds → `1h 2m`. */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A rate with one decimal below 10/s: `0.4`, `12`. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString("en");
}

/** The text of an error: `code: message` for Switchyard and client errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Parses the JSON of a data field; an empty field is no data. Throws a readable error for
 * text that is not JSON.
 */
export function parseData(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('data must be JSON (strings in double quotes: "hello")');
  }
}
