import { SwitchyardError } from "@switchyard/protocol";
import type { FeatureRequest, FeatureRoute } from "../../core/hub-api.js";
import type { PresenceApi } from "./channel-presence.js";

/** `limit` from the query string: an integer, or undefined when absent. */
function limitOf(request: FeatureRequest): number | undefined {
  const text = request.query("limit");
  if (text === undefined) return undefined;
  const limit = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(limit)) {
    throw new SwitchyardError("invalid_body", "'limit' must be an integer", { field: "limit" });
  }
  return limit;
}

/**
 * The presence routes of the HTTP API, for backends in any language:
 * - `GET /api/presence/:channel?cursor=&limit=` → a page of members (`PresencePage`);
 * - `GET /api/presence/:channel/count` → the count only (one call, no member list).
 */
export function presenceRoutes(presence: PresenceApi): FeatureRoute[] {
  return [
    {
      method: "GET",
      path: "/api/presence/:channel",
      handle: (request) => {
        const cursor = request.query("cursor");
        const limit = limitOf(request);
        return presence(request.params.channel ?? "").list({
          ...(cursor === undefined ? {} : { cursor }),
          ...(limit === undefined ? {} : { limit }),
        });
      },
    },
    {
      method: "GET",
      path: "/api/presence/:channel/count",
      handle: (request) => presence(request.params.channel ?? "").count(),
    },
  ];
}
