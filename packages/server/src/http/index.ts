export { bearerToken } from "../auth/bearer-token.js";
export { requireApiKey, secretsMatch } from "./api-key.js";
export { type HttpErrorBody, httpErrorHandler, notFoundHandler } from "./errors.js";
export { createHttpApi, DEFAULT_MAX_BODY_BYTES, type HttpApiOptions } from "./http-api.js";
export { type Json, type OpenApiDocument, openApiDocument } from "./openapi.js";
export {
  type DisconnectRequest,
  type HistoryParams,
  MAX_HISTORY_LIMIT,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_PUBLISH_BATCH,
  type PublishItem,
  type SendRequest,
  type SendTarget,
} from "./validate.js";
