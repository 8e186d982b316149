import type { Feature } from "../../core/hub-api.js";
import { type PresenceApi, presenceApi } from "./channel-presence.js";
import { presenceRoutes } from "./http.js";
import { presenceOpenApi } from "./openapi.js";
import { type PresenceOptions, resolvePresenceOptions } from "./options.js";
import { registerPresenceRpc } from "./rpc.js";
import { PresenceTracker } from "./tracker.js";

/**
 * Presence as a feature of the hub (docs/presence.md): who is subscribed to the channels of
 * the namespaces it names, grouped by user, across every node. It adds `presence` (the count
 * and the first page of members) to their subscribe replies, publishes the joins and leaves
 * as batched `$presence` events (ephemeral: live only), answers the `presence.list` RPC, adds
 * `GET /api/presence/:channel` (and `/count`) to the HTTP API, and returns `hub.presence`.
 * `createHub` installs it with its `presence` option.
 *
 * @example
 * const presence = hub.use(presenceFeature({ namespaces: { room: { grace: 10_000 } } }));
 * const { members } = await presence("room:42").count();
 */
export function presenceFeature(options?: PresenceOptions): Feature<PresenceApi> {
  const resolved = resolvePresenceOptions(options);
  return {
    name: "presence",
    install(host) {
      // Each join and leave is announced to other features (webhooks: presence_join/leave).
      const tracker = new PresenceTracker(
        host.hub,
        resolved,
        host.logger,
        (channel, joined, left) => {
          // Leaves first: a reload's old connection leaves and its new one joins in one
          // batch, and a listener that holds leaves (webhooks) then sees the comeback.
          for (const connection of left) host.emit("leave", { channel, ...connection });
          for (const connection of joined) host.emit("join", { channel, ...connection });
        },
      );
      // A hub without presence namespaces pays nothing: no listeners, timers or reply field.
      if (resolved.namespaces.size > 0) {
        tracker.start();
        host.subscribeReply("presence", (context) => tracker.reply(context));
      }
      const presence = presenceApi(resolved, tracker);
      registerPresenceRpc(host.hub, presence, (channel, clientId) =>
        tracker.present(channel, clientId),
      );
      host.routes(presenceRoutes(presence), presenceOpenApi);
      host.stats(() => tracker.stats());
      host.onClose(() => tracker.close());
      return presence;
    },
  };
}
