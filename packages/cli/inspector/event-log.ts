import { el, formatData } from "./dom.js";

/**
 * - `event`: an event received on a subscription or a personal channel;
 * - `status`: the connection changed;
 * - `reset`: continuity was lost on a channel;
 * - `ok` / `error`: the outcome of something the user did (publish, RPC, subscribe).
 */
export type EntryKind = "event" | "status" | "reset" | "ok" | "error";

/** One line of the log. */
export interface LogEntry {
  kind: EntryKind;
  /** The channel, for events and resets. */
  channel?: string;
  /** The event name, or a short label (`publish`, `rpc`, `connection`). */
  event: string;
  offset?: number;
  /** Event data or a result, shown as JSON. */
  data?: unknown;
  /** Text shown instead of `data`. */
  text?: string;
  /** Milliseconds since the Unix epoch; now when absent. */
  timestamp?: number;
}

/** Most lines kept; older ones are dropped from the top. */
const MAX_ENTRIES = 500;

function clock(timestamp: number): string {
  const date = new Date(timestamp);
  const ms = String(date.getMilliseconds()).padStart(3, "0");
  return `${date.toLocaleTimeString("en-GB", { hour12: false })}.${ms}`;
}

/**
 * The scrolling log of the console: events with channel, event, offset and data, and the
 * connection's changes and the outcomes of the user's actions. Sticks to the bottom unless
 * the user scrolled up to read.
 */
export class EventLog {
  readonly #list: HTMLOListElement;
  readonly #scroller: HTMLElement;
  readonly #count: HTMLElement;
  #events = 0;

  constructor(list: HTMLOListElement, scroller: HTMLElement, count: HTMLElement) {
    this.#list = list;
    this.#scroller = scroller;
    this.#count = count;
  }

  add(entry: LogEntry): void {
    const scroller = this.#scroller;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
    const text = entry.text ?? formatData(entry.data);
    const row = el(
      "li",
      {
        class: `entry is-${entry.kind}`,
        "data-kind": entry.kind,
        "data-channel": entry.channel,
        "data-event": entry.event,
        "data-offset": entry.offset === undefined ? undefined : String(entry.offset),
      },
      el("time", {}, clock(entry.timestamp ?? Date.now())),
      el("span", { class: "channel", title: entry.channel }, entry.channel ?? ""),
      el("span", { class: "event", title: entry.event }, entry.event),
      el("span", { class: "offset" }, entry.offset === undefined ? "" : `#${entry.offset}`),
      el("code", { class: "data", title: text.length > 80 ? text : undefined }, text),
    );
    this.#list.append(row);
    while (this.#list.childElementCount > MAX_ENTRIES) this.#list.firstElementChild?.remove();
    if (entry.kind === "event") this.#events += 1;
    this.#count.textContent = `${this.#events} event${this.#events === 1 ? "" : "s"}`;
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  clear(): void {
    this.#list.replaceChildren();
    this.#events = 0;
    this.#count.textContent = "0 events";
  }
}
