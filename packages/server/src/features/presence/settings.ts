import { isValidChannel, namespaceOf, SwitchyardError } from "@switchyard/protocol";
import type { NamespacePresence, ResolvedPresenceOptions } from "./options.js";

/** The presence settings of `channel`'s namespace, or undefined when presence is off there. */
export function settingsOf(
  options: ResolvedPresenceOptions,
  channel: string,
): NamespacePresence | undefined {
  if (channel.startsWith("$")) return undefined;
  return options.namespaces.get(namespaceOf(channel));
}

/** The settings of a channel asked about by name: `invalid_channel`, `presence_disabled`. */
export function requirePresence(
  options: ResolvedPresenceOptions,
  channel: unknown,
): NamespacePresence {
  if (!isValidChannel(channel)) {
    throw new SwitchyardError("invalid_channel", "The channel name is not valid", {
      channel: String(channel).slice(0, 300),
    });
  }
  const settings = settingsOf(options, channel);
  if (settings === undefined) {
    throw new SwitchyardError(
      "presence_disabled",
      `Presence is not on for the namespace of '${channel}'`,
      { channel },
    );
  }
  return settings;
}
