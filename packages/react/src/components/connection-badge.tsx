import type { ConnectionState } from "@switchyard/client";
import { useConnection } from "../use-connection.js";
import {
  DEFAULT_DURATION_UNITS,
  type DurationUnits,
  formatDuration,
  secondsUntil,
} from "./format.js";
import { useNow } from "./use-now.js";

/** What a {@link ConnectionBadge} shows: one word per look of the connection. */
export type ConnectionBadgeStatus = "live" | "connecting" | "reconnecting" | "offline";

/** The texts of a {@link ConnectionBadge}; replace any of them to translate. */
export interface ConnectionBadgeLabels {
  /** @default "Live" */
  readonly live: string;
  /** @default "Connecting" */
  readonly connecting: string;
  /** @default "Reconnecting" */
  readonly reconnecting: string;
  /**
   * The countdown after the reconnecting (or connecting) label, given the formatted time to
   * the next attempt.
   * @default (duration) => `in ${duration}`
   */
  readonly retryIn: (duration: string) => string;
  /** @default "Offline" */
  readonly offline: string;
}

/** The English texts of a {@link ConnectionBadge}. */
export const DEFAULT_CONNECTION_BADGE_LABELS: ConnectionBadgeLabels = {
  live: "Live",
  connecting: "Connecting",
  reconnecting: "Reconnecting",
  retryIn: (duration) => `in ${duration}`,
  offline: "Offline",
};

/** Props of {@link ConnectionBadge}. */
export interface ConnectionBadgeProps {
  /** Classes added after `sy-badge sy-badge--<status>`. @default none */
  readonly className?: string;
  /** Texts to replace (the others stay English). @default {@link DEFAULT_CONNECTION_BADGE_LABELS} */
  readonly labels?: Partial<ConnectionBadgeLabels>;
  /** Units of the countdown. @default {@link DEFAULT_DURATION_UNITS} */
  readonly units?: DurationUnits;
  /**
   * The badge's `title` (its tooltip): why the connection is in its state.
   * @default {@link describeConnectionReason}
   */
  readonly title?: (state: ConnectionState) => string;
}

/** The badge's look for a connection state: `disconnected` and `closed` are both offline. */
export function connectionBadgeStatus(state: ConnectionState): ConnectionBadgeStatus {
  switch (state.status) {
    case "connected":
      return "live";
    case "connecting":
      return "connecting";
    case "reconnecting":
      return "reconnecting";
    default:
      return "offline";
  }
}

/**
 * Why the connection is in its state, for a tooltip: the reason code, the error's message
 * when there is one, and the WebSocket close code (`network (close code 1006)`).
 */
export function describeConnectionReason(state: ConnectionState): string {
  const message = state.error?.message;
  const reason = message && message !== state.reason ? `${state.reason}: ${message}` : state.reason;
  return state.closeCode === null ? reason : `${reason} (close code ${state.closeCode})`;
}

/**
 * The connection's status in a few words: Live, Connecting, Reconnecting in N s, or Offline,
 * with the reason as its tooltip. The status word is announced politely (`role="status"`);
 * the countdown ticks visibly without being read out every second.
 *
 * Unstyled but for its class hooks: `sy-badge`, `sy-badge--live` / `--connecting` /
 * `--reconnecting` / `--offline`, `sy-badge__dot`, `sy-badge__label`, `sy-badge__countdown`
 * (import `@switchyard/react/styles.css` for the default look). Inside a `SwitchyardProvider`.
 *
 * @example
 * import { ConnectionBadge } from "@switchyard/react/components";
 * import "@switchyard/react/styles.css";
 *
 * function Header() {
 *   return (
 *     <header>
 *       <h1>Analyses</h1>
 *       <ConnectionBadge labels={{ live: "Online" }} />
 *     </header>
 *   );
 * }
 */
export function ConnectionBadge(props: ConnectionBadgeProps) {
  const state = useConnection();
  const labels = { ...DEFAULT_CONNECTION_BADGE_LABELS, ...props.labels };
  const status = connectionBadgeStatus(state);
  // A first connect that keeps failing waits between attempts too: count down for both.
  const counting = (status === "reconnecting" || status === "connecting") && state.retryAt !== null;
  const now = useNow(counting);
  const left = state.retryAt === null ? 0 : secondsUntil(state.retryAt, now);
  const className = ["sy-badge", `sy-badge--${status}`, props.className].filter(Boolean).join(" ");
  return (
    <span
      className={className}
      data-status={state.status}
      title={(props.title ?? describeConnectionReason)(state)}
    >
      <span className="sy-badge__dot" aria-hidden="true" />
      <span className="sy-badge__label" role="status" aria-live="polite">
        {labels[status]}
      </span>
      {counting && left > 0 ? (
        <>
          {/* A flex container drops this space from the layout; copied text keeps it. */}{" "}
          <span className="sy-badge__countdown" aria-hidden="true">
            {labels.retryIn(formatDuration(left, props.units ?? DEFAULT_DURATION_UNITS))}
          </span>
        </>
      ) : null}
    </span>
  );
}
