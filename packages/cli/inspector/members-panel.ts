import type { PresencePage } from "@switchyard/client";
import { byId, el, formatData } from "./dom.js";
import type { HubTarget } from "./hub-target.js";
import { pollWithKey } from "./poll.js";

/** Milliseconds between two reads of the open channel's members. */
const INTERVAL = 2_000;
/** Members shown: the first page (the HTTP API pages the rest with a cursor). */
const PAGE = 50;

/** What the members panel offers the rest of the page. */
export interface MembersPanel {
  /** Shows who is present on `channel`. */
  open(channel: string): void;
}

/**
 * The presence panel: who is on a channel of the selected hub (`GET /api/presence/{channel}`,
 * with the API key), across every node — the count of members and connections, and the first
 * page of members, each a user with their connections (three tabs are one member), re-read
 * every two seconds while open.
 */
export function startMembersPanel(hub: HubTarget, apiKey: () => string): MembersPanel {
  const form = byId("members-form", HTMLFormElement);
  const input = byId("members-channel", HTMLInputElement);
  const body = byId("members-body", HTMLTableSectionElement);
  const note = byId("members-note", HTMLElement);
  const count = byId("members-count", HTMLElement);
  let channel = "";

  const say = (text: string, state: "idle" | "ok" | "error") => {
    note.textContent = text;
    note.dataset.state = state;
  };

  function render(page: PresencePage): void {
    const { members, connections } = page.count;
    count.textContent = `${members} member(s), ${connections} connection(s)`;
    body.replaceChildren(
      ...page.members.map((member) =>
        el(
          "tr",
          { "data-user": member.userId ?? `client:${member.clientIds[0]}` },
          el("td", {}, member.userId ?? "anonymous"),
          el("td", { class: "num" }, String(member.clientIds.length)),
          el("td", { class: "value" }, formatData(member.info)),
        ),
      ),
    );
    const shown = page.members.length;
    say(
      members === 0
        ? `Nobody is on ${channel}.`
        : shown < members
          ? `The first ${shown} of ${members} members of ${channel}.`
          : `Everyone on ${channel}, on every node of ${hub.label()}.`,
      "ok",
    );
  }

  const poll = pollWithKey<PresencePage & { error?: { code: string } }>(hub, apiKey, {
    interval: INTERVAL,
    path: () =>
      channel === "" ? undefined : `api/presence/${encodeURIComponent(channel)}?limit=${PAGE}`,
    idle: (missingKey) =>
      say(
        missingKey
          ? `Enter the API key of ${hub.label()} to see who is present.`
          : "Enter a channel of a namespace with presence on (room:42).",
        "idle",
      ),
    answer: (status, answer) => {
      if (status === 200) return render(answer);
      body.replaceChildren();
      count.textContent = "";
      say(`${answer.error?.code ?? `HTTP ${status}`}: no presence on ${channel}.`, "error");
    },
    failed: (reason) => say(`Cannot read the members of ${channel} (${reason}).`, "error"),
  });

  const open = (value: string) => {
    channel = value.trim();
    input.value = channel;
    body.replaceChildren();
    count.textContent = "";
    poll.refresh();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    open(input.value);
  });
  hub.onChange(() => open(channel));
  poll.refresh();
  return { open };
}
