import type { ErrorCode } from "./codes.js";
import type { ClientFrame, StreamPosition } from "./frames.js";

/** The result of checking one decoded client frame. */
export type ParsedFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; id: number | undefined; code: ErrorCode; message: string };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

const isString = (value: unknown): value is string => typeof value === "string";

const MAX_TOKEN_LENGTH = 16_384;
/** Longest `sdk` name a connect frame may carry. */
const MAX_SDK_LENGTH = 64;
const MAX_KEY_LENGTH = 256;
const MAX_EPOCH_LENGTH = 128;
const MAX_METHOD_LENGTH = 128;
const MAX_EVENT_FILTER = 256;

const POSITION = `{epoch: string of at most ${MAX_EPOCH_LENGTH} characters, offset: non-negative integer}`;

/** Returns true when `value` is a `{epoch, offset}` stream position. */
export function isStreamPosition(value: unknown): value is StreamPosition {
  return (
    isObject(value) &&
    isString(value.epoch) &&
    value.epoch.length <= MAX_EPOCH_LENGTH &&
    typeof value.offset === "number" &&
    Number.isSafeInteger(value.offset) &&
    value.offset >= 0
  );
}

/**
 * Checks the shape of one decoded client frame. Semantic checks (channel syntax, permissions)
 * belong to the hub; this only guarantees field presence and types, so the hub can trust them.
 */
export function parseClientFrame(value: unknown): ParsedFrame {
  if (!isObject(value)) return invalid(undefined, "invalid_frame", "A frame must be an object");
  const id = isId(value.id) ? value.id : undefined;
  const type = value.type;
  if (!isString(type)) return invalid(id, "invalid_frame", "Field 'type' must be a string");
  if (type === "pong") return { ok: true, frame: { type: "pong" } };
  if (!KNOWN_REQUESTS.has(type)) return invalid(id, "unknown_frame_type", `Unknown type '${type}'`);
  if (id === undefined) {
    return invalid(undefined, "invalid_frame", "Field 'id' must be a non-negative integer");
  }
  const problem = checkRequest(type, value);
  if (problem !== undefined) return invalid(id, "invalid_frame", problem);
  return { ok: true, frame: value as unknown as ClientFrame };
}

const KNOWN_REQUESTS = new Set([
  "connect",
  "subscribe",
  "unsubscribe",
  "publish",
  "rpc",
  "refresh",
  "ping",
]);

function checkRequest(type: string, f: Fields): string | undefined {
  switch (type) {
    case "connect":
      if (f.token !== undefined && !(isString(f.token) && f.token.length <= MAX_TOKEN_LENGTH))
        return `Field 'token' must be a string of at most ${MAX_TOKEN_LENGTH} characters`;
      if (f.sessionId !== undefined && !isString(f.sessionId))
        return "Field 'sessionId' must be a string";
      if (f.sdk !== undefined && !(isString(f.sdk) && f.sdk.length <= MAX_SDK_LENGTH))
        return `Field 'sdk' must be a string of at most ${MAX_SDK_LENGTH} characters`;
      if (f.since !== undefined) {
        if (!isObject(f.since)) return "Field 'since' must be an object of channel positions";
        for (const position of Object.values(f.since)) {
          if (!isStreamPosition(position)) return `Each entry of 'since' must be ${POSITION}`;
        }
      }
      return undefined;
    case "subscribe":
      if (!isString(f.channel)) return "Field 'channel' must be a string";
      if (f.since !== undefined && !isStreamPosition(f.since))
        return `Field 'since' must be ${POSITION}`;
      if (
        f.events !== undefined &&
        !(
          Array.isArray(f.events) &&
          f.events.length <= MAX_EVENT_FILTER &&
          f.events.every(isString)
        )
      )
        return `Field 'events' must be an array of at most ${MAX_EVENT_FILTER} event names`;
      return undefined;
    case "unsubscribe":
      return isString(f.channel) ? undefined : "Field 'channel' must be a string";
    case "publish":
      if (!isString(f.channel)) return "Field 'channel' must be a string";
      if (!isString(f.event)) return "Field 'event' must be a string";
      if (
        f.idempotencyKey !== undefined &&
        !(
          isString(f.idempotencyKey) &&
          f.idempotencyKey.length >= 1 &&
          f.idempotencyKey.length <= MAX_KEY_LENGTH
        )
      )
        // An empty key would make every keyed retry a duplicate of every other: refused, as
        // the HTTP API refuses it.
        return `Field 'idempotencyKey' must be a string of 1 to ${MAX_KEY_LENGTH} characters`;
      return undefined;
    case "rpc":
      return isString(f.method) && f.method.length <= MAX_METHOD_LENGTH
        ? undefined
        : `Field 'method' must be a string of at most ${MAX_METHOD_LENGTH} characters`;
    case "refresh":
      return isString(f.token) && f.token.length <= MAX_TOKEN_LENGTH
        ? undefined
        : `Field 'token' must be a string of at most ${MAX_TOKEN_LENGTH} characters`;
    default:
      return undefined;
  }
}

function invalid(id: number | undefined, code: ErrorCode, message: string): ParsedFrame {
  return { ok: false, id, code, message };
}
