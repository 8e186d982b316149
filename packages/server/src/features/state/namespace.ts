import type { NamespaceOptions } from "../../core/options.js";
import type { HubState } from "./state.js";

/**
 * The built-in policy of the `state` namespace:
 * - subscribe: the document must be declared (`state_not_found`), and its `read` rule decides;
 * - publish from clients: nobody (writes go through the `state.*` RPCs, which the hub orders);
 * - history on (default retention), so a reconnecting client recovers the changes it missed;
 * - every subscribe reply carries the whole document as its snapshot, so a client that could
 *   not recover (`recovered: false`) starts again from it.
 */
export function stateNamespace(state: HubState): NamespaceOptions {
  return {
    subscribe: async (context) => {
      await state.declared.resolve(context.name).checkRead(context.name, context);
      return true;
    },
    publish: "nobody",
    snapshot: (context) => state.get(context.name),
  };
}
