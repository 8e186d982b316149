import type { StateDocument } from "@switchyard/client";
import { byId, el, formatData } from "./dom.js";
import type { HubTarget } from "./hub-target.js";
import { pollWithKey } from "./poll.js";

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

  const poll = pollWithKey<StateDocument & { error?: { code: string } }>(hub, apiKey, {
    interval: INTERVAL,
    path: () => (name === "" ? undefined : `api/state/${encodeURIComponent(name)}`),
    idle: (missingKey) =>
      say(
        missingKey
          ? `Enter the API key of ${hub.label()} to read its documents.`
          : "Enter a document's name (settings for the channel state:settings).",
        "idle",
      ),
    answer: (status, answer) => {
      if (status === 200) return render(answer);
      body.replaceChildren();
      version.textContent = "";
      shown = undefined;
      say(`${answer.error?.code ?? `HTTP ${status}`}: no document ${name}.`, "error");
    },
    failed: (reason) => say(`Cannot read state:${name} (${reason}).`, "error"),
  });

  const open = (value: string) => {
    name = value.trim().replace(/^state:/, "");
    input.value = name;
    shown = undefined;
    body.replaceChildren();
    version.textContent = "";
    poll.refresh();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    open(input.value);
  });
  hub.onChange(() => open(name));
  poll.refresh();
  return { open };
}
