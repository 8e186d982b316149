/**
 * The hub the page shows: the one its console connects to. Figures (`/stats`), channels
 * (`/api/channels`), publishing as the server (`/api/publish`) and the header's links all
 * follow it, so an inspector served by one hub and pointed at another shows only the other.
 */

/** What the panels read of the selected hub. */
export interface HubTarget {
  /** Base URL of the hub's HTTP side, ending in `/` (`http://127.0.0.1:7071/`). */
  base(): string;
  /** `path` (`stats`, `api/channels`) on the selected hub. */
  url(path: string): string;
  /** The hub's host and port, to name it on the page (`127.0.0.1:7071`). */
  label(): string;
  /** Points the page at the hub of a WebSocket endpoint (`ws://host:port/ws`). */
  select(wsUrl: string): void;
  /** Calls `listener` after each change of hub. */
  onChange(listener: () => void): void;
}

/**
 * The HTTP base of the hub behind a WebSocket endpoint: `ws://h:p/ws` → `http://h:p/`,
 * `wss://h/hub/ws` → `https://h/hub/` (the endpoint's directory, as the standalone hub serves
 * `/ws` next to `/stats` and `/api`). Null for a URL that is not `ws:` or `wss:`.
 */
export function httpBaseOf(wsUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(wsUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return null;
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.search = "";
  url.hash = "";
  return new URL("./", url).href;
}

/**
 * Starts on the hub that served the page; {@link HubTarget.select} moves it. The header's
 * links (`nav a[data-path]`) follow the selected hub.
 */
export function createHubTarget(): HubTarget {
  let base = new URL("./", location.href).href;
  const listeners: (() => void)[] = [];
  const url = (path: string) => new URL(path, base).href;

  const relink = () => {
    for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-path]")) {
      link.href = url(link.dataset.path ?? "");
    }
  };
  relink();

  return {
    base: () => base,
    url,
    label: () => new URL(base).host,
    select(wsUrl) {
      const next = httpBaseOf(wsUrl);
      if (next === null || next === base) return;
      base = next;
      relink();
      for (const listener of listeners) listener();
    },
    onChange: (listener) => listeners.push(listener),
  };
}
