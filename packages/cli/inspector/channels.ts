import { byId, el } from "./dom.js";

/** The `localStorage` key that remembers the API key in this browser. */
export const API_KEY_STORAGE_KEY = "switchyard.inspector.apiKey";

/** Milliseconds between two reads of `/api/channels`. */
const INTERVAL = 2_000;

interface ChannelInfo {
  channel: string;
  subscribers: number;
}

function stored(): string {
  try {
    return localStorage.getItem(API_KEY_STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}

function store(key: string): void {
  try {
    if (key === "") localStorage.removeItem(API_KEY_STORAGE_KEY);
    else localStorage.setItem(API_KEY_STORAGE_KEY, key);
  } catch {
    // Storage is blocked: the key lasts as long as the page.
  }
}

/** What the channels panel offers the rest of the page. */
export interface ChannelsPanel {
  /** The API key entered (and remembered), or "" when none. */
  apiKey(): string;
}

/**
 * The API key field and the channels table. `GET /api/channels` needs the server's API key:
 * it is taken from the field, kept in `localStorage` so a reload keeps it, and polled every
 * two seconds while set. Clicking a channel hands it to `pick` (the subscribe field).
 */
export function startChannels(pick: (channel: string) => void): ChannelsPanel {
  const form = byId("key-form", HTMLFormElement);
  const input = byId("api-key", HTMLInputElement);
  const forget = byId("key-forget", HTMLButtonElement);
  const body = byId("channels-body", HTMLTableSectionElement);
  const note = byId("channels-note", HTMLElement);
  let key = stored();
  input.value = key;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const say = (text: string, state: "idle" | "ok" | "error") => {
    note.textContent = text;
    note.dataset.state = state;
  };

  function render(channels: ChannelInfo[]): void {
    // Application channels first, then the personal ones (`$client:`, `$session:`, ...).
    const sorted = [...channels].sort(
      (a, b) =>
        Number(a.channel.startsWith("$")) - Number(b.channel.startsWith("$")) ||
        b.subscribers - a.subscribers ||
        a.channel.localeCompare(b.channel),
    );
    body.replaceChildren(
      ...sorted.map((info) => {
        const button = el("button", { type: "button", class: "link", title: "Subscribe" });
        button.textContent = info.channel;
        button.addEventListener("click", () => pick(info.channel));
        return el(
          "tr",
          {
            "data-channel": info.channel,
            class: info.channel.startsWith("$") ? "personal" : undefined,
          },
          el("td", {}, button),
          el("td", { class: "num" }, String(info.subscribers)),
        );
      }),
    );
    const count = sorted.length;
    say(count === 0 ? "No channel has subscribers." : `${count} channel(s) on this node.`, "ok");
  }

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    if (key === "") {
      body.replaceChildren();
      say("Enter the API key (printed by switchyard serve) to list channels.", "idle");
      return;
    }
    const asked = key;
    try {
      const response = await fetch("api/channels", {
        headers: { authorization: `Bearer ${asked}` },
        cache: "no-store",
      });
      if (asked !== key) return;
      if (response.status === 401) {
        body.replaceChildren();
        say("The server refused this API key.", "error");
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(((await response.json()) as { channels: ChannelInfo[] }).channels);
    } catch (error) {
      say(`Cannot list channels (${error instanceof Error ? error.message : error}).`, "error");
    }
    if (asked === key) timer = setTimeout(refresh, INTERVAL);
  }

  const use = (value: string) => {
    key = value.trim();
    input.value = key;
    store(key);
    void refresh();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    use(input.value);
  });
  input.addEventListener("change", () => use(input.value));
  forget.addEventListener("click", () => use(""));
  void refresh();
  return { apiKey: () => key };
}
