export {
  ConnectionBadge,
  type ConnectionBadgeLabels,
  type ConnectionBadgeProps,
  type ConnectionBadgeStatus,
  connectionBadgeStatus,
  DEFAULT_CONNECTION_BADGE_LABELS,
  describeConnectionReason,
} from "./components/connection-badge.js";
export {
  DEFAULT_DURATION_UNITS,
  type DurationUnits,
  formatDuration,
  secondsUntil,
} from "./components/format.js";
export {
  DEFAULT_JOB_PROGRESS_LABELS,
  JobProgress,
  type JobProgressLabels,
  type JobProgressProps,
  type ShownStatus,
  type ValidationDecision,
} from "./components/job-progress.js";
export {
  DEFAULT_PRESENCE_AVATARS_LABELS,
  PresenceAvatars,
  type PresenceAvatarsLabels,
  type PresenceAvatarsProps,
} from "./components/presence-avatars.js";
export {
  SwitchyardContext,
  type SwitchyardContextValue,
  useSwitchyard,
  useSwitchyardContext,
} from "./context.js";
export {
  DEFAULT_UNSUBSCRIBE_GRACE,
  type Lease,
  registryOf,
  StoreRegistry,
  type StoreRegistryOptions,
} from "./registry.js";
export { SwitchyardProvider, type SwitchyardProviderProps } from "./switchyard-provider.js";
