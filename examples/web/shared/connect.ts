import { type Client, type ClientOptions, type Contract, createClient } from "@switchyard/client";

/**
 * The WebSocket URL of the page's own hub: `ws` beside the page (`/<app>/ws` for a page at
 * `/<app>/`), `wss:` on an https page.
 */
export function appHubUrl(location: Pick<Location, "href" | "protocol"> = window.location): string {
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  url.hash = "";
  return url.href;
}

/** A client of the page's own hub (see {@link appHubUrl}); other options as `createClient`. */
export function createAppClient<const C extends Contract = Contract>(
  options: Omit<ClientOptions<C>, "url"> = {} as Omit<ClientOptions<C>, "url">,
): Client<C> {
  return createClient<C>({ ...options, url: appHubUrl() } as ClientOptions<C>);
}
