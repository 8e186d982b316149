import type {
  PresenceConnection,
  PresenceCount,
  PresenceEventData,
  PresenceMember,
  PresenceReply,
} from "@switchyard/protocol";
import type { SubscriptionStatus } from "./subscription.js";

/** Who is present on a channel, as `client.presence(channel)` shows it. */
export interface PresenceState {
  readonly channel: string;
  /** Members (users, and anonymous connections) and connections, across every hub node. */
  readonly count: PresenceCount;
  /**
   * The members this client knows, grouped by user (a user with three tabs is one member with
   * three `clientIds`), in the hub's order (by user id, anonymous connections last). Only the
   * loaded pages: `loadMore()` while `cursor` is not null.
   */
  readonly members: readonly PresenceMember[];
  /** False while the channel is above its namespace's cap: the hub sends the count only. */
  readonly listed: boolean;
  /** More members to load with `loadMore()`; null once every page is here. */
  readonly cursor: string | null;
  /** The subscription to the channel (as `Subscription.state`'s status). */
  readonly subscription: SubscriptionStatus;
  /** Why the hub refused the subscription or a page, or null. */
  readonly error: Error | null;
}

/** The state before the first subscribe reply. */
export function initialPresenceState(channel: string): PresenceState {
  return {
    channel,
    count: { members: 0, connections: 0 },
    members: [],
    listed: true,
    cursor: null,
    subscription: "subscribing",
    error: null,
  };
}

/** The key the hub orders members by: `u<userId>`, or `~<clientId>` for an anonymous one. */
function keyOf(member: { userId: string | null; clientIds: readonly string[] }): string {
  return member.userId === null ? `~${member.clientIds[0] ?? ""}` : `u${member.userId}`;
}

/** The state a subscribe reply (or a first page) gives: it replaces what was known. */
export function fromReply(state: PresenceState, reply: PresenceReply): PresenceState {
  return {
    ...state,
    count: reply.count,
    members: reply.members ?? [],
    listed: reply.members !== undefined,
    cursor: reply.cursor ?? null,
  };
}

/** Adds a page of members after those known (a member already known is not repeated). */
export function withPage(
  state: PresenceState,
  page: { count: PresenceCount; members: readonly PresenceMember[]; cursor: string | null },
): PresenceState {
  const known = new Set(state.members.map(keyOf));
  const members = [...state.members, ...page.members.filter((m) => !known.has(keyOf(m)))];
  members.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return { ...state, count: page.count, members, listed: true, cursor: page.cursor };
}

function leave(members: PresenceMember[], connection: PresenceConnection): void {
  const at = members.findIndex((m) => m.clientIds.includes(connection.clientId));
  const member = members[at];
  if (member === undefined) return;
  const clientIds = member.clientIds.filter((id) => id !== connection.clientId);
  if (clientIds.length === 0) members.splice(at, 1);
  else members[at] = { ...member, clientIds };
}

function join(members: PresenceMember[], connection: PresenceConnection, cursor: string | null) {
  const key = keyOf({ userId: connection.userId, clientIds: [connection.clientId] });
  const at = members.findIndex((m) => keyOf(m) >= key);
  const found = members[at];
  if (found !== undefined && keyOf(found) === key) {
    if (!found.clientIds.includes(connection.clientId)) {
      members[at] = { ...found, clientIds: [...found.clientIds, connection.clientId] };
    }
    return;
  }
  // A member after the loaded pages comes with its page.
  if (cursor !== null && key > cursor) return;
  const member = {
    userId: connection.userId,
    info: connection.info,
    clientIds: [connection.clientId],
  };
  members.splice(at === -1 ? members.length : at, 0, member);
}

/**
 * Applies a `$presence` event. An event with the count only (the channel went above its cap)
 * leaves the member list unknown: `listed` false, no members.
 */
export function applyPresenceEvent(state: PresenceState, data: PresenceEventData): PresenceState {
  if (data.joined === undefined && data.left === undefined) {
    return { ...state, count: data.count, members: [], listed: false, cursor: null };
  }
  const members = [...state.members];
  for (const connection of data.left ?? []) leave(members, connection);
  for (const connection of data.joined ?? []) join(members, connection, state.cursor);
  return { ...state, count: data.count, members };
}
