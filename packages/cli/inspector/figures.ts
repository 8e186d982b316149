import type { HubStats } from "@switchyard/server";
import { byId, formatBytes, formatDuration, formatRate } from "./dom.js";

/** Milliseconds between two reads of `/stats`. */
const INTERVAL = 1_000;
/** Samples drawn in a sparkline: the last minute. */
const SAMPLES = 60;

const SVG = "http://www.w3.org/2000/svg";

/** One figure card: its value, its caption and a sparkline of recent values. */
class Figure {
  readonly #value: HTMLElement;
  readonly #caption: HTMLElement;
  readonly #line: SVGPolylineElement;
  readonly #samples: number[] = [];

  constructor(name: string) {
    const card = byId(`figure-${name}`, HTMLElement);
    this.#value = byId(`stat-${name}`, HTMLElement);
    this.#caption = card.querySelector(".caption") ?? card;
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
}

/**
 * The node's live figures: polls the public `/stats` every second and shows connections,
 * channels, subscriptions, message rates, queued bytes and uptime, each with a sparkline of
 * the last minute, and whether the node answers at all.
 */
export function startFigures(): void {
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

  async function refresh(): Promise<void> {
    try {
      const response = await fetch("stats", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const stats = (await response.json()) as HubStats;
      figures.connections.show(String(stats.connections), stats.connections);
      figures.channels.show(String(stats.channels), stats.channels);
      figures.subscriptions.show(String(stats.subscriptions), stats.subscriptions);
      rate(figures.messagesIn, stats.messagesIn);
      rate(figures.messagesOut, stats.messagesOut);
      rate(figures.published, stats.published);
      figures.queuedBytes.show(formatBytes(stats.queuedBytes), stats.queuedBytes);
      state.textContent = `live · up ${formatDuration(stats.uptimeSeconds)}`;
      state.dataset.state = "up";
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      state.textContent = `node unreachable (${reason})`;
      state.dataset.state = "down";
    }
    setTimeout(refresh, INTERVAL);
  }
  void refresh();
}
