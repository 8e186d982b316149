export type { RenderMode } from "./batch.js";
export {
  SwitchyardContext,
  type SwitchyardContextValue,
  useSwitchyard,
  useSwitchyardContext,
} from "./context.js";
export { type ContractHooks, createHooks } from "./create-hooks.js";
export {
  DEFAULT_UNSUBSCRIBE_GRACE,
  type Lease,
  registryOf,
  StoreRegistry,
  type StoreRegistryOptions,
} from "./registry.js";
export { SwitchyardProvider, type SwitchyardProviderProps } from "./switchyard-provider.js";
export { type ConnectionView, useConnection } from "./use-connection.js";
export {
  DEFAULT_EVENT_LIST_LIMIT,
  type UseEventListOptions,
  useEventList,
} from "./use-event-list.js";
export { type JobView, useJob } from "./use-job.js";
export { type JobListView, useJobs } from "./use-jobs.js";
export { type UseLatestEventOptions, useLatestEvent } from "./use-latest-event.js";
export { type PresenceView, type UsePresenceOptions, usePresence } from "./use-presence.js";
export { type RpcView, useRpc } from "./use-rpc.js";
export { type StateValueView, useStateValue } from "./use-state-value.js";
export {
  type SubscriptionStatusView,
  type UseSubscriptionOptions,
  useSubscription,
} from "./use-subscription.js";
export {
  type StateActions,
  type SyncedStateView,
  useSyncedState,
} from "./use-synced-state.js";
