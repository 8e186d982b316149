import type { Broker } from "../../broker/broker.js";
import type { NamespaceOptions } from "../../core/options.js";
import { canWatch, found } from "./access.js";
import { JobStore, toSnapshot } from "./store.js";

/**
 * The built-in policy of the `job` namespace:
 * - subscribe: the job's owner (its user, or any tab of its session), anyone the job's
 *   `visibility` lets in, and clients whose token `channels` claim names the channel; an id
 *   that names no kept job is `job_not_found`;
 * - publish from clients: nobody (jobs publish from the server);
 * - history on (default retention), so a reconnecting client recovers what it missed;
 * - `progress` conflates for slow clients, per step (a step change is never dropped); chunks
 *   and state changes never do;
 * - every subscribe reply carries the job's snapshot, read from the broker's key-value store.
 */
export function jobNamespace(broker: Broker): NamespaceOptions {
  const store = new JobStore(broker);
  return {
    subscribe: async (context) =>
      canWatch(found(await store.read(context.name), context.name), context),
    publish: "nobody",
    conflate: ({ event, data }) =>
      event === "progress"
        ? `progress:${(data as { step?: unknown } | null)?.step ?? ""}`
        : undefined,
    snapshot: async (context) => {
      const info = await store.info(context.name);
      return info === undefined ? undefined : toSnapshot(info);
    },
  };
}
