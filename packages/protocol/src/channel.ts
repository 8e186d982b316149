/**
 * Channel names: `namespace:name` (`job:7f3a`, `settings:physics`) or a bare name (`equipment`)
 * that belongs to the default namespace (`""`). Names that start with `$` are reserved for the
 * hub's personal channels (`$client:<id>`, `$session:<id>`, `$user:<id>`, `$broadcast`).
 */

/** Longest channel name accepted, in characters. */
export const MAX_CHANNEL_LENGTH = 256;

// With the u flag a surrogate pair is one code point, so \p{Cs} matches only lone halves:
// no character, and the MessagePack codec would carry the name as another one.
const CHANNEL_PATTERN = /^\$?[A-Za-z0-9_.-]+(?::[^\s\p{Cc}\p{Cs}]+)?$/u;
const EVENT_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Prefixes of the personal channels every connection joins. */
export const PERSONAL = {
  client: "$client:",
  session: "$session:",
  user: "$user:",
  broadcast: "$broadcast",
} as const;

/** Returns true when `channel` is a syntactically valid channel name. */
export function isValidChannel(channel: unknown): channel is string {
  return (
    typeof channel === "string" &&
    channel.length > 0 &&
    channel.length <= MAX_CHANNEL_LENGTH &&
    CHANNEL_PATTERN.test(channel)
  );
}

/** Returns true when `event` is a valid event name (1–128 of `A-Z a-z 0-9 _ . : -`). */
export function isValidEventName(event: unknown): event is string {
  return typeof event === "string" && EVENT_PATTERN.test(event);
}

/**
 * The namespace of a channel: the part before the first `:`, or `""` for a bare name
 * (reserved bare names such as `$broadcast` are their own namespace).
 */
export function namespaceOf(channel: string): string {
  const colon = channel.indexOf(":");
  if (colon !== -1) return channel.slice(0, colon);
  return isPersonalChannel(channel) ? channel : "";
}

/** Returns true for the hub's reserved personal channels (names starting with `$`). */
export function isPersonalChannel(channel: string): boolean {
  return channel.charCodeAt(0) === 36; // "$"
}

/** Valid ids for sessions and users inside personal channel names. */
export function isValidId(id: unknown): id is string {
  return typeof id === "string" && /^[A-Za-z0-9_.@|:-]{1,128}$/.test(id);
}
