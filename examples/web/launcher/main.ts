/**
 * The launcher: every seed system rebuilt on Switchyard, with what it shows and its link.
 * Plain DOM, no framework: a list of links needs none.
 */
import "../shared/app.css";
import { APPS } from "../catalog.js";

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const list = element("ul", { className: "app-list" });
for (const app of APPS) {
  list.append(
    element(
      "li",
      { className: "card app-card" },
      element(
        "div",
        { className: "app-card-head" },
        element("a", { className: "app-link", href: `./${app.name}/` }, app.title),
        element("span", { className: "seed" }, `seed ${app.seed}`),
      ),
      element("p", {}, app.what),
    ),
  );
}

document
  .getElementById("root")
  ?.replaceChildren(
    element(
      "div",
      { className: "page launcher" },
      element("header", { className: "app-header" }, element("h1", {}, "Switchyard example apps")),
      element(
        "main",
        {},
        element(
          "p",
          { className: "lede" },
          "Systems that once hand-built their live updates over a raw WebSocket, rebuilt on " +
            "Switchyard. Open an app in two windows (or two browsers): every change reaches the " +
            "other one at once.",
        ),
        list,
      ),
    ),
  );
