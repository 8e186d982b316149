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
export { type Authenticator, createAuthenticator, type Identity } from "./auth/authenticator.js";
export { CHANNELS_CLAIM, channelsClaimAllows } from "./auth/channels-claim.js";
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
export { requireApiKey } from "./http/api-key.js";
export { createHttpApi, type HttpApiOptions } from "./http/http-api.js";
export { createHub } from "./hub.js";
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
} from "./hub-api.js";
export type { JobOwnerInput, JobRequester } from "./jobs/access.js";
export { JobFailure } from "./jobs/job-failure.js";
export type { CancelJobOptions, CreateJobOptions, JobListQuery, Jobs } from "./jobs/jobs.js";
export { DEFAULT_JOBS_OPTIONS, type JobsOptions } from "./jobs/options.js";
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
} from "./jobs/types.js";
export {
  type ConnectionCounts,
  type ConnectionLimitOptions,
  ConnectionLimits,
  type ConnectionOwner,
} from "./limits/connection-limits.js";
export { type RateVerdict, TokenBucket, type TokenBucketOptions } from "./limits/token-bucket.js";
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
} from "./options.js";
export type { OutboundMessage } from "./outbound.js";
export type { HubSocket, SocketHandler } from "./transport/socket.js";
