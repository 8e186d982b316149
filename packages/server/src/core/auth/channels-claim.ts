import { isPersonalChannel } from "@switchyard/protocol";

/**
 * The optional `channels` claim of a connect token: the channels a namespace with the
 * `"token"` access rule lets this user reach.
 *
 * Each entry is either an exact channel name (`"sim:42"`) or a pattern ending in `*` that
 * matches every channel starting with the part before the `*` (`"job:*"` matches `job:7f3a`;
 * `"*"` matches every channel). A `*` anywhere else is an ordinary character.
 *
 * Personal channels (`$client:…`, `$session:…`, `$user:…`, `$broadcast`) are only matched by
 * an entry that itself starts with `$`, so a broad pattern like `"*"` never reaches another
 * user's personal channel.
 */
const CHANNELS_CLAIM = "channels";

/**
 * Returns true when the token claims grant `channel` through their `channels` claim.
 * A missing claim, or one that is not an array of strings, allows nothing.
 *
 * @example
 * channelsClaimAllows({ sub: "ada", channels: ["job:*", "sim:42"] }, "job:7f3a"); // true
 * channelsClaimAllows({ sub: "ada", channels: ["job:*", "sim:42"] }, "sim:43"); // false
 */
export function channelsClaimAllows(
  claims: Readonly<Record<string, unknown>>,
  channel: string,
): boolean {
  const entries = claims[CHANNELS_CLAIM];
  if (!Array.isArray(entries)) return false;
  // A malformed claim is refused as a whole rather than partly honoured.
  for (const entry of entries) if (typeof entry !== "string") return false;
  const personal = isPersonalChannel(channel);
  for (const entry of entries as string[]) {
    if (entryAllows(entry, channel, personal)) return true;
  }
  return false;
}

function entryAllows(entry: string, channel: string, personal: boolean): boolean {
  if (!entry.endsWith("*")) return entry === channel;
  const prefix = entry.slice(0, -1);
  if (personal && !isPersonalChannel(prefix)) return false;
  return channel.startsWith(prefix);
}
