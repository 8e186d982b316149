import type { Hub } from "@switchyard/server";

/**
 * A web app's hub, as the web apps server mounts it at `/<app>/ws`: the hub with its RPCs,
 * jobs and features, and whatever runs beside it (timers, workers), which `close()` stops.
 */
export interface AppHub {
  readonly hub: Hub;
  /** Stops what runs beside the hub, then the hub. */
  close(): Promise<void>;
}

/** Creates an app's hub; the server calls it at start and again after a restart. */
export type AppHubFactory = () => Promise<AppHub>;
