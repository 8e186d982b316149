import type { Hub } from "@switchyard/server";
import type { Hono } from "hono";

/** What the web apps server tells an app's factory. */
export interface AppContext {
  /** The app's base URL, `http://host:port/<app>/`: its page, `ws` its hub, its `routes`. */
  readonly url: string;
}

/**
 * A web app's hub, as the web apps server mounts it at `/<app>/ws`: the hub with its RPCs,
 * jobs and features, and whatever runs beside it (timers, workers, a backend process), which
 * `close()` stops.
 */
export interface AppHub {
  readonly hub: Hub;
  /**
   * HTTP routes of the app under `/<app>/` (for example the hub's HTTP API from
   * `createHttpApi`, answering at `/<app>/api/…`), tried before the built pages.
   */
  readonly routes?: Hono;
  /** Stops what runs beside the hub, then the hub. */
  close(): Promise<void>;
}

/** Creates an app's hub; the server calls it once it listens, and again after a restart. */
export type AppHubFactory = (context: AppContext) => Promise<AppHub>;
