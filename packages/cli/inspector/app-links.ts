/**
 * The header's links to the applications beside the hub that served the page (`--link`, the
 * config's `links`), read once from that hub's `inspector/links.json`. Unlike the hub's own
 * links they stay when the console is pointed at another hub: they name the page's neighbours,
 * not the hub shown. Each opens in a new tab; with no links the header shows none.
 */
import { el } from "./dom.js";

/** One link of the header. */
export interface AppLink {
  label: string;
  url: string;
}

/** The entries of a `links.json` answer that are labelled links to http(s) pages. */
export function linksOf(body: unknown): AppLink[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((entry: unknown): AppLink[] => {
    if (typeof entry !== "object" || entry === null) return [];
    const { label, url } = entry as { label?: unknown; url?: unknown };
    if (typeof label !== "string" || label === "" || typeof url !== "string") return [];
    return /^https?:\/\//i.test(url) ? [{ label, url }] : [];
  });
}

/**
 * Fills `nav` with the served links; leaves it hidden when there are none or the read fails.
 * `data-state` says when it is done: `shown` or `none`.
 */
export async function showAppLinks(nav: HTMLElement): Promise<void> {
  let links: AppLink[] = [];
  try {
    const response = await fetch(new URL("inspector/links.json", location.href), {
      cache: "no-store",
    });
    if (response.ok) links = linksOf(await response.json());
  } catch {
    // No links: the page works without them.
  }
  nav.replaceChildren(
    ...links.map((link) =>
      el("a", { href: link.url, target: "_blank", rel: "noopener", title: link.url }, link.label),
    ),
  );
  nav.hidden = links.length === 0;
  nav.dataset.state = links.length === 0 ? "none" : "shown";
}
