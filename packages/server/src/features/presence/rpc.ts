import { type PresencePage, SwitchyardError } from "@switchyard/protocol";
import type { CoreHub } from "../../core/hub-api.js";
import { checkListOptions, type PresenceApi } from "./channel-presence.js";

const FIELDS = ["channel", "cursor", "limit"];

/**
 * Registers `presence.list {channel, cursor?, limit?}` → a page of members. Only for a client
 * subscribed to the channel: the subscribe is where access to a channel is checked (on every
 * subscribe, recovered ones included), so a client sees the members of the channels it may
 * read and no others (`not_subscribed`).
 */
export function registerPresenceRpc(
  hub: CoreHub,
  presence: PresenceApi,
  present: (channel: string, clientId: string) => boolean,
): void {
  hub.rpc("presence.list", async (data, { client }): Promise<PresencePage> => {
    const body = data ?? {};
    if (typeof body !== "object" || Array.isArray(body)) {
      throw new SwitchyardError("invalid_data", "The RPC data must be an object", { field: "" });
    }
    for (const key of Object.keys(body)) {
      if (!FIELDS.includes(key)) {
        throw new SwitchyardError("invalid_data", `Unknown field '${key}'`, { field: key });
      }
    }
    const request = body as { channel?: unknown; cursor?: unknown; limit?: unknown };
    const channel = presence(request.channel as string);
    if (!present(channel.channel, client.clientId)) {
      throw new SwitchyardError("not_subscribed", `Not subscribed to '${channel.channel}'`, {
        channel: channel.channel,
      });
    }
    return channel.list(checkListOptions(request));
  });
}
