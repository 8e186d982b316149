import type { HubStats } from "@switchyard/server";
import { byId, formatBytes, formatDuration, formatRate } from "./dom.js";
import type { HubTarget } from "./hub-target.js";

/** Milliseconds between two reads of `/stats`. */
const INTERVAL = 1_000;
/** Samples drawn in a sparkline: the last minute. */
const SAMPLES = 60;

const SVG = "http://www.w3.org/2000/svg";

/** Why a hub may have no figures for this page. */
const STATS_HINT =
  "The standalone hub (switchyard serve) serves /stats to any page; a hub embedded in an " +
  "app's own server, like the example hubs, serves none. A hub that is down answers nothing.";

/** One figure card: its value, its caption and a sparkline of recent values. */
class Figure {
  readonly #value: HTMLElement;
  readonly #caption: HTMLElement;
  readonly #line: SVGPolylineElement;
  readonly #blank: { value: string; caption: string };
  #samples: number[] = [];

  constructor(name: string) {
    const card = byId(`figure-${name}`, HTMLElement);
    this.#value = byId(`stat-${name}`, HTMLElement);
    this.#caption = card.querySelector(".caption") ?? card;
    this.#blank = {
      value: this.#value.textContent ?? "",
      caption: this.#caption.textContent ?? "",
    };
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${SAMPLES - 1} 20`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.classList.add("spark");
    this.#line = document.createElementNS(SVG, "polyline");
    svg.append(this.#line);
    card.append(svg);
  }

  show(value: string, sample: number, caption?: string): void {
    this.#value.textContent = value;
    if (caption !== undefined) this.#caption.textContent = caption;
    this.#samples.push(sample);
    if (this.#samples.length > SAMPLES) this.#samples.shift();
    const max = Math.max(...this.#samples, 1);
    const start = SAMPLES - this.#samples.length;
    const points = this.#samples.map((v, i) => `${start + i},${(19 - (18 * v) / max).toFixed(2)}`);
    this.#line.setAttribute("points", points.join(" "));
  }

  /** Back to the page's first look: no value, no history (another hub is shown). */
  clear(): void {
    this.#value.textContent = this.#blank.value;
    this.#caption.textContent = this.#blank.caption;
    this.#samples = [];
    this.#line.setAttribute("points", "");
  }
}

/**
 * The selected hub's live figures: polls its `/stats` every second and shows connections,
 * channels, subscriptions, message rates, queued bytes and uptime, each with a sparkline of
 * the last minute, and whether the hub answers at all. The hub's API key, when the page has
 * it, goes along (a hub may require it for `/stats`). Another hub starts from blank figures.
 */
export function startFigures(hub: HubTarget, apiKey: () => string): void {
  const state = byId("node-state", HTMLElement);
  const figures = {
    connections: new Figure("connections"),
    channels: new Figure("channels"),
    subscriptions: new Figure("subscriptions"),
    messagesIn: new Figure("messagesIn"),
    messagesOut: new Figure("messagesOut"),
    published: new Figure("published"),
    queuedBytes: new Figure("queuedBytes"),
  };

  const rate = (figure: Figure, value: { total: number; perSecond: number }) =>
    figure.show(formatRate(value.perSecond), value.perSecond, `${value.total} total`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts refreshes: an answer to any but the latest is dropped (another hub's). */
  let generation = 0;

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    const mine = ++generation;
    const stale = () => mine !== generation;
    const where = hub.label();
    try {
      const key = apiKey();
      const response = await fetch(hub.url("stats"), {
        cache: "no-store",
        ...(key === "" ? {} : { headers: { authorization: `Bearer ${key}` } }),
      });
      if (response.status === 401) throw new Error("HTTP 401: it wants its API key");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const stats = (await response.json()) as HubStats;
      if (stale()) return;
      figures.connections.show(String(stats.connections), stats.connections);
      figures.channels.show(String(stats.channels), stats.channels);
      figures.subscriptions.show(String(stats.subscriptions), stats.subscriptions);
      rate(figures.messagesIn, stats.messagesIn);
      rate(figures.messagesOut, stats.messagesOut);
      rate(figures.published, stats.published);
      figures.queuedBytes.show(formatBytes(stats.queuedBytes), stats.queuedBytes);
      state.textContent = `${where} · live · up ${formatDuration(stats.uptimeSeconds)}`;
      state.title = "";
      state.dataset.state = "up";
    } catch (error) {
      if (stale()) return;
      const reason = error instanceof Error ? error.message : String(error);
      state.textContent = `${where} · cannot read /stats (${reason})`;
      state.title = STATS_HINT;
      state.dataset.state = "down";
    }
    timer = setTimeout(refresh, INTERVAL);
  }

  hub.onChange(() => {
    for (const figure of Object.values(figures)) figure.clear();
    state.textContent = `reading ${hub.label()}/stats…`;
    delete state.dataset.state;
    void refresh();
  });
  void refresh();
}
