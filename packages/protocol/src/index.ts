export {
  isPersonalChannel,
  isValidChannel,
  isValidEventName,
  isValidId,
  MAX_CHANNEL_LENGTH,
  namespaceOf,
  PERSONAL,
} from "./channel.js";
export {
  CODECS,
  type Codec,
  type CodecName,
  codecByName,
  codecForSubprotocol,
  jsonCodec,
  msgpackCodec,
} from "./codec.js";
export {
  CLOSE_RANGES,
  type CloseAction,
  closeActionOf,
  closeCodeOf,
  ERROR_CODES,
  ERRORS,
  type ErrorCode,
  type ErrorSpec,
  errorCodeOfClose,
  isErrorCode,
} from "./codes.js";
export { type ErrorPayload, SwitchyardError } from "./errors.js";
export type {
  ChannelPosition,
  ClientFrame,
  ClientPingFrame,
  ConnectFrame,
  ConnectResult,
  ErrorFrame,
  EventFrame,
  PongFrame,
  PublishFrame,
  PublishResult,
  RefreshFrame,
  RefreshResult,
  ReplyError,
  ReplyFrame,
  ReplyOk,
  RequestFrame,
  RpcFrame,
  ServerFrame,
  ServerPingFrame,
  StreamPosition,
  SubscribeFrame,
  SubscribeResult,
  UnsubscribeFrame,
} from "./frames.js";
export { PROTOCOL_VERSION } from "./frames.js";
export { isStreamPosition, type ParsedFrame, parseClientFrame } from "./parse.js";
