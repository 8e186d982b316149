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
export { DEDUP_WINDOW_MS } from "./broker/broker.js";
export { checkRetention, rethrowLater } from "./broker/broker-checks.js";
export type { KeyValueStore } from "./broker/kv.js";
export {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
  type MemoryBrokerStats,
} from "./broker/memory-broker.js";
export {
  type Authenticator,
  createAuthenticator,
  type Identity,
} from "./core/auth/authenticator.js";
export { CHANNELS_CLAIM, channelsClaimAllows } from "./core/auth/channels-claim.js";
export { createHub } from "./core/hub.js";
export type {
  ChannelInfo,
  ClientInfo,
  DisconnectInfo,
  DisconnectTarget,
  Hub,
  HubEvents,
  HubStats,
  PublishOptions,
  RpcContext,
  RpcHandler,
  SubscriptionInfo,
} from "./core/hub-api.js";
export {
  type ConnectionCounts,
  type ConnectionLimitOptions,
  ConnectionLimits,
  type ConnectionOwner,
} from "./core/limits/connection-limits.js";
export {
  type RateVerdict,
  TokenBucket,
  type TokenBucketOptions,
} from "./core/limits/token-bucket.js";
export {
  type AccessContext,
  type AccessRule,
  type AuthOptions,
  DEFAULT_HEARTBEAT,
  DEFAULT_HISTORY,
  DEFAULT_LIMITS,
  DEFAULT_PERSONAL_HISTORY,
  DEFAULT_SESSION_TTL,
  type HeartbeatOptions,
  type HubOptions,
  type LimitOptions,
  type Logger,
  type NamespaceOptions,
} from "./core/options.js";
export type { JobOwnerInput, JobRequester } from "./features/jobs/access.js";
export { JobFailure } from "./features/jobs/job-failure.js";
export type {
  CancelJobOptions,
  CreateJobOptions,
  JobListQuery,
  Jobs,
} from "./features/jobs/jobs.js";
export { DEFAULT_JOBS_OPTIONS, type JobsOptions } from "./features/jobs/options.js";
export {
  type ChunkOptions,
  type FailOptions,
  FINISHED_STATUSES,
  isFinished,
  JOB_EVENTS,
  type JobAck,
  type JobHandle,
  type JobInfo,
  type JobOwner,
  jobChannel,
  type ProgressOptions,
} from "./features/jobs/types.js";
export { requireApiKey } from "./http/api-key.js";
export { createHttpApi, type HttpApiOptions } from "./http/http-api.js";
export type { OutboundMessage } from "./transport/outbound-message.js";
export type { HubSocket, SocketHandler } from "./transport/socket.js";
