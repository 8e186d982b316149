/**
 * `@switchyard/server`: the hub as a library. `createHub` puts one together (memory broker,
 * builtin transport, jobs, synced state); the rest is its public surface: options, the feature seam, the
 * transport seam, the broker interface, the HTTP API handler.
 */
export {
  type JobChunk,
  type JobChunks,
  type JobError,
  type JobEventData,
  type JobEventName,
  type JobListResult,
  type JobSnapshot,
  type JobStatus,
  type JobValidation,
  type JobVisibility,
  type PresenceConnection,
  type PresenceCount,
  type PresenceEventData,
  type PresenceMember,
  type PresencePage,
  type PresenceReply,
  type StateChange,
  type StateConflictDetails,
  type StateDocument,
  type StateEntry,
  type StateEventData,
  type StateEventName,
  type StateUndoResult,
  type StateWriteResult,
  SwitchyardError,
} from "@switchyard/protocol";
export type {
  Broker,
  BrokerEvent,
  BrokerHooks,
  BrokerPublish,
  BrokerPublishResult,
  HistoryOptions,
  HistoryPage,
  HistoryQuery,
  RecoverResult,
} from "./broker/broker.js";
export type { KeyValueStore } from "./broker/kv.js";
export {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
  type MemoryBrokerStats,
} from "./broker/memory-broker.js";
export {
  MAX_PRESENCE_PAGE,
  type PresenceEntry,
  type PresenceExpired,
  type PresenceStore,
  type PresenceStorePage,
  type PresenceWrite,
} from "./broker/presence.js";
export type {
  Authenticate,
  AuthenticateOptions,
  ChannelInfo,
  ClientInfo,
  ConnectIdentity,
  ConnectRequest,
  CoreHub,
  DisconnectInfo,
  DisconnectTarget,
  Feature,
  FeatureEvent,
  FeatureHost,
  FeatureRequest,
  FeatureRoute,
  HubEvents,
  HubStats,
  InstalledFeature,
  Json,
  OpenApiFragment,
  PublishGuard,
  PublishOptions,
  PublishRequest,
  RpcContext,
  RpcHandler,
  SubscribeGuard,
  SubscribeRequest,
  SubscriptionInfo,
} from "./core/hub-api.js";
export {
  type AccessContext,
  type AccessRule,
  type AuthOptions,
  type ConflationInput,
  type CoreOptions,
  DEFAULT_HEARTBEAT,
  DEFAULT_HISTORY,
  DEFAULT_LIMITS,
  DEFAULT_PERSONAL_HISTORY,
  DEFAULT_SESSION_TTL,
  type HeartbeatOptions,
  type LimitOptions,
  type Logger,
  type NamespaceOptions,
} from "./core/options.js";
export { createHub, type Hub, type HubOptions } from "./create-hub.js";
export type { JobOwnerInput, JobRequester } from "./features/jobs/access.js";
export { jobsFeature } from "./features/jobs/feature.js";
export { JobFailure } from "./features/jobs/job-failure.js";
export type {
  CancelJobOptions,
  CreateJobOptions,
  JobListQuery,
  Jobs,
} from "./features/jobs/jobs.js";
export { DEFAULT_JOBS_OPTIONS, type JobsOptions } from "./features/jobs/options.js";
export type {
  ChunkOptions,
  FailOptions,
  JobAck,
  JobEnded,
  JobHandle,
  JobInfo,
  JobOwner,
  ProgressOptions,
} from "./features/jobs/types.js";
export type {
  ChannelPresence,
  PresenceApi,
  PresenceListOptions,
} from "./features/presence/channel-presence.js";
export { presenceFeature } from "./features/presence/feature.js";
export {
  DEFAULT_PRESENCE_OPTIONS,
  type PresenceNamespaceOptions,
  type PresenceOptions,
} from "./features/presence/options.js";
export { BACKEND_CODE_RANGE } from "./features/proxy/backend.js";
export { proxyFeature } from "./features/proxy/feature.js";
export {
  type ChannelProxyOptions,
  type ConnectProxyOptions,
  DEFAULT_PROXY_CONCURRENCY,
  DEFAULT_PROXY_TIMEOUT,
  DEFAULT_REFRESH_RETRY,
  type ProxyHookOptions,
  type ProxyOptions,
  type RefreshProxyOptions,
  type RpcProxyOptions,
} from "./features/proxy/options.js";
export { type StateApi, stateFeature } from "./features/state/feature.js";
export type { StateHandle, StateWriteOptions } from "./features/state/handle.js";
export type {
  StateBatchOptions,
  StateDocumentOptions,
  StateFileOptions,
  StateKeyOptions,
  StateOptions,
} from "./features/state/options.js";
export type { StateHandleEvents } from "./features/state/state-events.js";
export type {
  WebhookBody,
  WebhookClient,
  WebhookEvent,
  WebhookEventData,
  WebhookJob,
} from "./features/webhooks/events.js";
export { type Webhooks, webhooksFeature } from "./features/webhooks/feature.js";
export {
  DEFAULT_WEBHOOK_OPTIONS,
  WEBHOOK_EVENTS,
  type WebhookBatchOptions,
  type WebhookEventName,
  type WebhookOptions,
  type WebhookRetryOptions,
} from "./features/webhooks/options.js";
export type { WebhookSenderStats } from "./features/webhooks/sender.js";
export { requireApiKey } from "./http/api-key.js";
export { createHttpApi, DEFAULT_MAX_BODY_BYTES, type HttpApiOptions } from "./http/http-api.js";
export {
  DEFAULT_SIGNATURE_TOLERANCE,
  SIGNATURE_HEADER,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
} from "./http/signature.js";
export { builtinTransport } from "./transport/builtin-transport.js";
export type { OutboundMessage } from "./transport/outbound-message.js";
export type {
  HubSocket,
  SocketHandler,
  Transport,
  TransportHost,
  TransportOptions,
  UpgradeInfo,
} from "./transport/socket.js";
