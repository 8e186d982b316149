/**
 * `@switchyard/server`: the hub as a library. `createHub` puts one together (memory broker,
 * builtin transport, jobs); the rest is its public surface: options, the feature seam, the
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
  JobHandle,
  JobInfo,
  JobOwner,
  ProgressOptions,
} from "./features/jobs/types.js";
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
export { SIGNATURE_HEADER, sign as signBackendRequest } from "./features/proxy/signature.js";
export { requireApiKey } from "./http/api-key.js";
export { createHttpApi, DEFAULT_MAX_BODY_BYTES, type HttpApiOptions } from "./http/http-api.js";
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
