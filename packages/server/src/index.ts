export { SwitchyardError } from "@switchyard/protocol";
export { type Authenticator, createAuthenticator, type Identity } from "./auth/authenticator.js";
export { CHANNELS_CLAIM, channelsClaimAllows } from "./auth/channels-claim.js";
export type {
  Broker,
  BrokerEvent,
  BrokerPublish,
  BrokerPublishResult,
  HistoryOptions,
  HistoryPage,
  HistoryQuery,
  RecoverResult,
} from "./broker/broker.js";
export { DEDUP_WINDOW_MS } from "./broker/broker.js";
export {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
  type MemoryBrokerStats,
} from "./broker/memory-broker.js";
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
  type HeartbeatOptions,
  type HubOptions,
  type LimitOptions,
  type Logger,
  type NamespaceOptions,
} from "./options.js";
export type { HubSocket, SocketHandler } from "./transport/socket.js";
