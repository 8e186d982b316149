/**
 * The wire shapes of presence (docs/presence.md), shared by the hub and its clients: the
 * `presence` field of the subscribe reply on channels whose namespace has presence on, the data
 * of the ephemeral `$presence` event, and the `presence.list` RPC. Types only: nothing here runs.
 */

/** One connection present on a channel. */
export interface PresenceConnection {
  readonly clientId: string;
  /** The connection's user, or null for an anonymous client (then it is a member alone). */
  readonly userId: string | null;
  /** The connection's presence info (from the token's claims or the connect data). */
  readonly info: unknown;
}

/**
 * A member: one user with all their connections on the channel (three tabs are one member),
 * or one anonymous connection.
 */
export interface PresenceMember {
  readonly userId: string | null;
  /** The info of the member's first connection. */
  readonly info: unknown;
  readonly clientIds: readonly string[];
}

/** How many are present. */
export interface PresenceCount {
  /** Members (users, and anonymous connections). */
  readonly members: number;
  readonly connections: number;
}

/** A page of members, in a stable order. */
export interface PresencePage {
  readonly count: PresenceCount;
  readonly members: readonly PresenceMember[];
  /** Pass it back for the next page; null on the last one. */
  readonly cursor: string | null;
}

/**
 * `result.presence` of a subscribe reply on a presence channel: the count, and the first page
 * of members unless the channel has more than the namespace's cap (`members` absent then:
 * count-only).
 */
export interface PresenceReply {
  readonly count: PresenceCount;
  readonly members?: readonly PresenceMember[];
  readonly cursor?: string | null;
}

/**
 * The data of the `$presence` event (ephemeral: live only, never in history): the
 * connections that joined and left during one batching window. On a channel above the cap it
 * carries the count only.
 */
export interface PresenceEventData {
  readonly joined?: readonly PresenceConnection[];
  readonly left?: readonly PresenceConnection[];
  readonly count: PresenceCount;
}

/** The argument of the `presence.list` RPC. */
export interface PresenceListRequest {
  readonly channel: string;
  readonly cursor?: string;
  /** @default 100 (at most 1000) */
  readonly limit?: number;
}
