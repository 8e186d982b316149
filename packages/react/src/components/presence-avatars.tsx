import type { PresenceMember } from "@switchyard/client";
import type { CSSProperties } from "react";
import { usePresence } from "../use-presence.js";

/** The texts of a {@link PresenceAvatars}; replace any of them to translate. */
export interface PresenceAvatarsLabels {
  /** The list's accessible name, given the number of members. @default (count) => count === 1 ? "1 person here" : `${count} people here` */
  readonly here: (count: number) => string;
  /** The overflow bubble's accessible name. @default (count) => `${count} more` */
  readonly more: (count: number) => string;
  /** The name of an anonymous member without a name in its info. @default "Guest" */
  readonly guest: string;
}

/** The English texts of a {@link PresenceAvatars}. */
export const DEFAULT_PRESENCE_AVATARS_LABELS: PresenceAvatarsLabels = {
  here: (count) => (count === 1 ? "1 person here" : `${count} people here`),
  more: (count) => `${count} more`,
  guest: "Guest",
};

/** Props of {@link PresenceAvatars}. */
export interface PresenceAvatarsProps {
  /** A channel of a namespace with presence on (`room:42`). */
  readonly channel: string;
  /** Avatars shown before the `+N` bubble. @default 5 */
  readonly max?: number;
  /** Classes added after `sy-avatars`. @default none */
  readonly className?: string;
  /** Texts to replace (the others stay English). @default {@link DEFAULT_PRESENCE_AVATARS_LABELS} */
  readonly labels?: Partial<PresenceAvatarsLabels>;
  /**
   * A member's name (tooltip, accessible name, initials).
   * @default the info's `name` when it is a string, else the user id, else the guest label
   */
  readonly name?: (member: PresenceMember) => string | null;
  /**
   * A member's picture; initials on a colour drawn from the user id when there is none.
   * @default the info's `avatar` when it is a string, else none
   */
  readonly avatar?: (member: PresenceMember) => string | null;
}

function infoField(member: PresenceMember, field: string): string | null {
  const info = member.info;
  if (typeof info !== "object" || info === null) return null;
  const value = (info as Record<string, unknown>)[field];
  return typeof value === "string" && value !== "" ? value : null;
}

/** Up to two letters for a name: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters
    .map((word) => (word ? (Array.from(word)[0] ?? "") : ""))
    .join("")
    .toUpperCase();
}

/** A stable hue (0–359) for a key, so a user keeps their colour on every screen. */
export function hueOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

const keyOf = (member: PresenceMember) => member.userId ?? `~${member.clientIds[0] ?? ""}`;

/**
 * Who is on a channel, as a row of avatars: a picture or initials per member (a user with
 * three tabs is one avatar), then `+N` for the members beyond `max` — and beyond the pages
 * loaded, so the count is always the hub's. Follows the channel live (`usePresence`).
 *
 * Accessible: a labelled list ("3 people here") of items named after each member.
 * Class hooks: `sy-avatars`, `sy-avatars__list`, `sy-avatar`, `sy-avatar__image`,
 * `sy-avatar--overflow`; each avatar sets `--sy-avatar-hue` from its user id. Inside a
 * `SwitchyardProvider`.
 *
 * @example
 * import { PresenceAvatars } from "@switchyard/react/components";
 * import "@switchyard/react/styles.css";
 *
 * function RoomHeader({ roomId }: { roomId: string }) {
 *   return <PresenceAvatars channel={`room:${roomId}`} max={4} />;
 * }
 */
export function PresenceAvatars(props: PresenceAvatarsProps) {
  const state = usePresence(props.channel);
  const labels = { ...DEFAULT_PRESENCE_AVATARS_LABELS, ...props.labels };
  const max = Math.max(0, props.max ?? 5);
  const nameOf = (member: PresenceMember) =>
    props.name?.(member) ?? infoField(member, "name") ?? member.userId ?? labels.guest;
  const avatarOf = (member: PresenceMember) =>
    props.avatar ? props.avatar(member) : infoField(member, "avatar");
  const shown = state.members.slice(0, max);
  const total = Math.max(state.count.members, state.members.length);
  const overflow = total - shown.length;
  const className = ["sy-avatars", props.className].filter(Boolean).join(" ");
  return (
    <div className={className}>
      <ul className="sy-avatars__list" aria-label={labels.here(total)}>
        {shown.map((member) => {
          const name = nameOf(member);
          const picture = avatarOf(member);
          const key = keyOf(member);
          return (
            <li
              key={key}
              className="sy-avatar"
              title={name}
              data-user-id={member.userId ?? undefined}
              style={{ "--sy-avatar-hue": hueOf(key) } as CSSProperties}
            >
              {picture !== null ? (
                <img className="sy-avatar__image" src={picture} alt={name} />
              ) : (
                <>
                  <span aria-hidden="true">{initials(name)}</span>
                  <span className="sy-visually-hidden">{name}</span>
                </>
              )}
            </li>
          );
        })}
        {overflow > 0 ? (
          <li className="sy-avatar sy-avatar--overflow" title={labels.more(overflow)}>
            <span aria-hidden="true">+{overflow}</span>
            <span className="sy-visually-hidden">{labels.more(overflow)}</span>
          </li>
        ) : null}
      </ul>
    </div>
  );
}
