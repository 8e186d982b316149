/**
 * `@switchyard/react/components`: small, accessible, unstyled components on the package's hooks
 * — the connection's badge, a job's progress card, the avatars of who is present — and the
 * duration format they use. Their default look is `@switchyard/react/styles.css`.
 */
export {
  ConnectionBadge,
  type ConnectionBadgeLabels,
  type ConnectionBadgeProps,
  type ConnectionBadgeStatus,
  connectionBadgeStatus,
  DEFAULT_CONNECTION_BADGE_LABELS,
  describeConnectionReason,
} from "./connection-badge.js";
export {
  DEFAULT_DURATION_UNITS,
  type DurationUnits,
  formatDuration,
  secondsUntil,
} from "./format.js";
export {
  DEFAULT_JOB_PROGRESS_LABELS,
  JobProgress,
  type JobProgressLabels,
  type JobProgressProps,
  type JobProgressStatus,
  type ValidationDecision,
} from "./job-progress.js";
export {
  DEFAULT_PRESENCE_AVATARS_LABELS,
  PresenceAvatars,
  type PresenceAvatarsLabels,
  type PresenceAvatarsProps,
} from "./presence-avatars.js";
