export { type FrameScheduler, nextFrame } from "./cache-batch.js";
export {
  type ContractRule,
  type DynamicRule,
  defineRules,
  type LiveRule,
  type StaticRule,
} from "./rules.js";
export { type LiveInvalidationOptions, useLiveInvalidation } from "./use-live-invalidation.js";
export { type LiveQueryOptions, useLiveQuery } from "./use-live-query.js";
