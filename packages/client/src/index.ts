export type {
  ConnectResult,
  ErrorCode,
  ErrorPayload,
  JobChunk,
  JobChunks,
  JobError,
  JobEventData,
  JobEventName,
  JobListResult,
  JobSnapshot,
  JobStatus,
  JobValidation,
  JobVisibility,
  PresenceConnection,
  PresenceCount,
  PresenceEventData,
  PresenceMember,
  PresencePage,
  PublishResult,
  StateChange,
  StateConflictDetails,
  StateDocument,
  StateEntry,
  StateEventData,
  StateUndoResult,
  StateWriteResult,
  StreamPosition,
} from "@switchyard/protocol";
export { SwitchyardError } from "@switchyard/protocol";
export { Backoff, type BackoffTier } from "./backoff.js";
export {
  type Client,
  type ClientEvents,
  createClient,
  type PersonalChannels,
  type PublishOptions,
} from "./client.js";
export { type ClientCodec, jsonCodec } from "./codec.js";
export type {
  ConnectionReason,
  ConnectionState,
  ConnectionStatus,
} from "./connection-state.js";
export {
  type ChannelContract,
  type ChannelEvent,
  type ChannelName,
  type Contract,
  type DataArgs,
  defineContract,
  type EventData,
  type EventInput,
  type EventName,
  type PatternToChannel,
  type RpcContract,
  type RpcInput,
  type RpcMethod,
  type RpcOutput,
} from "./contract.js";
export { ClientError, type ClientErrorCode } from "./errors.js";
export type { Job } from "./job.js";
export type { JobList, JobListState } from "./job-list.js";
export { initialJobState, type JobState } from "./job-state.js";
export {
  type ClientOptions,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HEARTBEAT,
  DEFAULT_OUTBOX,
  DEFAULT_RECONNECT,
  DEFAULT_REFRESH_BEFORE_EXPIRY,
  DEFAULT_REQUEST_TIMEOUT,
  type HeartbeatOptions,
  type OutboxOptions,
  type ReconnectOptions,
  type TokenResult,
} from "./options.js";
export type { Presence, PresenceEvents } from "./presence.js";
export { initialPresenceState, type PresenceState } from "./presence-state.js";
export type { CallOptions } from "./requests.js";
export { SDK_NAME } from "./sdk.js";
export { SESSION_STORAGE_KEY } from "./session.js";
export type {
  StateBatch,
  StateStore,
  StateStoreOptions,
  StateWriteOptions,
} from "./state.js";
export { DEFAULT_STATE_GAP_TIMEOUT } from "./state.js";
export {
  initialStateSnapshot,
  type StateEvents,
  type StateRefusal,
  type StateSnapshot,
  type StateStatus,
  type StateValues,
  type StateWriteRequest,
} from "./state-snapshot.js";
export type { Readable } from "./store.js";
export type {
  ReceivedEvent,
  ResetInfo,
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionState,
  SubscriptionStatus,
} from "./subscription.js";
export type { PersonalEvents } from "./subscriptions.js";
export type {
  CloseEventLike,
  MessageEventLike,
  WebSocketConstructor,
  WebSocketLike,
} from "./websocket.js";
