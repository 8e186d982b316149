import { type PresenceCount, type PresencePage, SwitchyardError } from "@switchyard/protocol";
import { MAX_PRESENCE_PAGE } from "../../broker/presence.js";
import { DEFAULT_PAGE_SIZE, type ResolvedPresenceOptions } from "./options.js";
import { requirePresence } from "./settings.js";
import type { PresenceTracker } from "./tracker.js";

/** Longest cursor accepted (a member key: `u` + a user id, or `~` + a client id). */
export const MAX_CURSOR_LENGTH = 200;

/** Which page of members to read. */
export interface PresenceListOptions {
  /** The `cursor` of the previous page; from the start when absent. */
  cursor?: string;
  /**
   * Most members on the page (1 to 1000).
   * @default 100
   */
  limit?: number;
}

/** Presence of one channel, for server code (`hub.presence(channel)`). */
export interface ChannelPresence {
  readonly channel: string;
  /** How many are present: one call to the broker, no member list. */
  count(): Promise<PresenceCount>;
  /** A page of members (users with their connections), in a stable order. */
  list(options?: PresenceListOptions): Promise<PresencePage>;
}

/**
 * `hub.presence(channel)`: who is present on a channel of a presence namespace, across every
 * node. Throws `invalid_channel` for a bad name and `presence_disabled` when the channel's
 * namespace has presence off.
 *
 * @example
 * const { members, connections } = await hub.presence("room:42").count();
 * const page = await hub.presence("room:42").list({ limit: 50 });
 */
export type PresenceApi = (channel: string) => ChannelPresence;

/** Checks a page request: `invalid_data` names the refused field. */
export function checkListOptions(options: { cursor?: unknown; limit?: unknown }): {
  cursor?: string;
  limit: number;
} {
  const code = "invalid_data";
  const { cursor, limit = DEFAULT_PAGE_SIZE } = options;
  if (
    typeof limit !== "number" ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_PRESENCE_PAGE
  ) {
    throw new SwitchyardError(code, `'limit' must be an integer from 1 to ${MAX_PRESENCE_PAGE}`, {
      field: "limit",
    });
  }
  if (cursor === undefined) return { limit };
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw new SwitchyardError(code, "'cursor' must be the cursor of a previous page", {
      field: "cursor",
    });
  }
  return { cursor, limit };
}

/** Makes `hub.presence`. */
export function presenceApi(
  options: ResolvedPresenceOptions,
  tracker: PresenceTracker,
): PresenceApi {
  const store = () => tracker.store;
  return (channel) => {
    requirePresence(options, channel);
    return {
      channel,
      async count() {
        const { expired, ...count } = await store().count(channel);
        tracker.reportExpired(channel, expired);
        return count;
      },
      async list(list = {}) {
        const { expired, ...page } = await store().page(channel, checkListOptions(list));
        tracker.reportExpired(channel, expired);
        return page;
      },
    };
  };
}
