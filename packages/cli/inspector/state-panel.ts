import type { StateDocument } from "@switchyard/client";
import { byId, el, formatData } from "./dom.js";
import type { HubTarget } from "./hub-target.js";

/** Milliseconds between two reads of the open document. */
const INTERVAL = 1_000;

/** What the state panel offers the rest of the page. */
export interface StatePanel {
  /** Shows the synced-state document `name` (`settings` for the channel `state:settings`). */
  open(name: string): void;
}

/**
 * The synced-state panel: one document of the selected hub (`GET /api/state/{name}`, with
 * the API key), each key with its value, the version that wrote it, who wrote it and when,
 * re-read every second while open. The keys a read changed are marked for a moment.
 */
export function startStatePanel(hub: HubTarget, apiKey: () => string): StatePanel {
  const form = byId("state-form", HTMLFormElement);
  const input = byId("state-name", HTMLInputElement);
  const body = byId("state-body", HTMLTableSectionElement);
  const note = byId("state-note", HTMLElement);
  const version = byId("state-version", HTMLElement);
  let name = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let shown: StateDocument | undefined;

  const say = (text: string, state: "idle" | "ok" | "error") => {
    note.textContent = text;
    note.dataset.state = state;
  };

  function render(document: StateDocument): void {
    const previous = shown?.name === document.name ? shown : undefined;
    shown = document;
    version.textContent = `version ${document.version}`;
    const keys = Object.keys(document.entries).sort();
    body.replaceChildren(
      ...keys.map((key) => {
        const entry = document.entries[key];
        if (entry === undefined) return el("tr");
        const changed = previous !== undefined && previous.entries[key]?.version !== entry.version;
        return el(
          "tr",
          { "data-key": key, class: changed ? "changed" : undefined },
          el("td", { class: "state-key" }, key),
          el("td", { class: "value" }, formatData(entry.value)),
          el("td", { class: "num" }, String(entry.version)),
          // Version 0: the key's default, never written.
          el("td", {}, entry.version === 0 ? "default" : (entry.updatedBy ?? "—")),
          el(
            "td",
            { class: "time" },
            entry.version === 0 ? "—" : new Date(entry.updatedAt).toLocaleTimeString(),
          ),
        );
      }),
    );
    say(
      keys.length === 0
        ? `state:${document.name} has no keys yet.`
        : `${keys.length} key(s) of state:${document.name} on ${hub.label()}.`,
      "ok",
    );
  }

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    const mine = ++generation;
    const stale = () => mine !== generation;
    if (name === "") {
      say("Enter a document's name (settings for the channel state:settings).", "idle");
      return;
    }
    const key = apiKey();
    if (key === "") {
      say(`Enter the API key of ${hub.label()} to read its documents.`, "idle");
      return;
    }
    try {
      const response = await fetch(hub.url(`api/state/${encodeURIComponent(name)}`), {
        headers: { authorization: `Bearer ${key}` },
        cache: "no-store",
      });
      if (stale()) return;
      const answer = (await response.json()) as StateDocument & { error?: { code: string } };
      if (stale()) return;
      if (!response.ok) {
        body.replaceChildren();
        version.textContent = "";
        shown = undefined;
        say(`${answer.error?.code ?? `HTTP ${response.status}`}: no document ${name}.`, "error");
      } else {
        render(answer);
      }
    } catch (error) {
      if (stale()) return;
      const reason = error instanceof Error ? error.message : String(error);
      say(`Cannot read state:${name} (${reason}).`, "error");
    }
    timer = setTimeout(refresh, INTERVAL);
  }

  const open = (value: string) => {
    name = value.trim().replace(/^state:/, "");
    input.value = name;
    shown = undefined;
    body.replaceChildren();
    version.textContent = "";
    void refresh();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    open(input.value);
  });
  hub.onChange(() => open(name));
  void refresh();
  return { open };
}
