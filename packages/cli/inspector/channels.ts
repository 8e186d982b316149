import { byId, el } from "./dom.js";
import type { HubTarget } from "./hub-target.js";
import { pollWithKey } from "./poll.js";

/**
 * The `localStorage` key under which this browser remembers API keys: a JSON object from each
 * hub's base URL to its key.
 */
export const API_KEYS_STORAGE_KEY = "switchyard.inspector.apiKeys";

/** Milliseconds between two reads of `/api/channels`. */
const INTERVAL = 2_000;

interface ChannelInfo {
  channel: string;
  subscribers: number;
}

function storedKeys(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(API_KEYS_STORAGE_KEY) ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function storeKey(hub: string, key: string): void {
  const keys = storedKeys();
  if (key === "") delete keys[hub];
  else keys[hub] = key;
  try {
    localStorage.setItem(API_KEYS_STORAGE_KEY, JSON.stringify(keys));
  } catch {
    // Storage is blocked: the key lasts as long as the page.
  }
}

/** What the channels panel offers the rest of the page. */
export interface ChannelsPanel {
  /** The API key entered (and remembered) for the selected hub, or "" when none. */
  apiKey(): string;
}

/**
 * The API key field and the channels table of the selected hub. `GET /api/channels` needs
 * the hub's API key: it is taken from the field, kept in `localStorage` per hub so a reload
 * (or coming back to a hub) keeps it, and polled every two seconds while set. Clicking a
 * channel hands it to `pick` (the subscribe field).
 */
export function startChannels(hub: HubTarget, pick: (channel: string) => void): ChannelsPanel {
  const form = byId("key-form", HTMLFormElement);
  const input = byId("api-key", HTMLInputElement);
  const forget = byId("key-forget", HTMLButtonElement);
  const body = byId("channels-body", HTMLTableSectionElement);
  const note = byId("channels-note", HTMLElement);
  let key = storedKeys()[hub.base()] ?? "";
  input.value = key;

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
    const where = hub.label();
    say(
      count === 0 ? `No channel of ${where} has subscribers.` : `${count} channel(s) on ${where}.`,
      "ok",
    );
  }

  const poll = pollWithKey<{ channels: ChannelInfo[] }>(hub, () => key, {
    interval: INTERVAL,
    path: () => "api/channels",
    idle: () => {
      body.replaceChildren();
      say(
        `Enter the API key of ${hub.label()} (printed by switchyard serve) to list its channels.`,
        "idle",
      );
    },
    answer: (status, answer) => {
      if (status === 200) return render(answer.channels);
      body.replaceChildren();
      if (status === 401) say(`${hub.label()} refused this API key.`, "error");
      else say(`Cannot list the channels of ${hub.label()} (HTTP ${status}).`, "error");
    },
    failed: (reason) => say(`Cannot list the channels of ${hub.label()} (${reason}).`, "error"),
  });

  const use = (value: string) => {
    key = value.trim();
    input.value = key;
    storeKey(hub.base(), key);
    poll.refresh();
  };
  // Another hub: its own key (if this browser knows it) and none of the last hub's channels.
  hub.onChange(() => {
    key = storedKeys()[hub.base()] ?? "";
    input.value = key;
    body.replaceChildren();
    poll.refresh();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    use(input.value);
  });
  input.addEventListener("change", () => use(input.value));
  forget.addEventListener("click", () => use(""));
  poll.refresh();
  return { apiKey: () => key };
}
