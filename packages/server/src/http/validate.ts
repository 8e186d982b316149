import { isValidChannel, isValidEventName, isValidId, SwitchyardError } from "@switchyard/protocol";

/**
 * Hand-written validation of HTTP API requests, by the rule of docs/http-api.md ("Errors"):
 * a request that is not the route's shape (not JSON, not an object, a missing, unknown or
 * mistyped field, a query parameter that is not an integer) is `invalid_body` (400); a field
 * of the right type whose value is refused gets the code of what it holds: `invalid_channel`
 * for a channel name, `invalid_data` (422) for the rest. Either way the message and
 * `details.field` name the field, as a path into the body (`channel`, `to.userId`,
 * `[3].event`).
 */

/** One event to publish through `POST /api/publish`. */
export interface PublishItem {
  channel: string;
  event: string;
  data?: unknown;
  /** A retried publish with the same key on the same channel within 2 minutes is dropped. */
  idempotencyKey?: string;
}

/** Who `POST /api/send` delivers to: one client, one session, one user, or everyone. */
export type SendTarget =
  | "everyone"
  | { clientId: string }
  | { sessionId: string }
  | { userId: string };

/** The body of `POST /api/send`. */
export interface SendRequest {
  to: SendTarget;
  event: string;
  data?: unknown;
}

/** The body of `POST /api/disconnect`: exactly one of the three ids. */
export type DisconnectRequest = { clientId: string } | { sessionId: string } | { userId: string };

/** The query of `GET /api/channels/:channel/history`. */
export interface HistoryParams {
  after?: number;
  limit?: number;
}

/** Most events in one `POST /api/publish` array. */
export const MAX_PUBLISH_BATCH = 100;
/** Largest `limit` of a history request. */
export const MAX_HISTORY_LIMIT = 1000;
/** Longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

const ID_FIELDS = ["clientId", "sessionId", "userId"] as const;
type IdField = (typeof ID_FIELDS)[number];

/** The request is not the route's shape: `field` is missing, unknown or of the wrong type. */
function invalid(field: string, reason: string): SwitchyardError {
  return new SwitchyardError("invalid_body", `Invalid field "${field}": ${reason}`, { field });
}

/** `field` has the right type, but its value is refused. */
export function refused(field: string, reason: string): SwitchyardError {
  return new SwitchyardError("invalid_data", `Invalid value of "${field}": ${reason}`, { field });
}

const ID_SYNTAX = "must be 1–128 characters of A-Z a-z 0-9 _ . @ | : -";

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) {
    throw field === ""
      ? new SwitchyardError("invalid_body", "The body must be a JSON object", { field: "" })
      : invalid(field, "must be an object");
  }
  return value;
}

/** Rejects fields the route does not know, so a misspelt option never passes silently. */
function rejectUnknown(body: Record<string, unknown>, known: readonly string[], prefix: string) {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw invalid(join(prefix, key), "unknown field");
  }
}

function expectEvent(body: Record<string, unknown>, prefix: string): string {
  const field = join(prefix, "event");
  const event = body.event;
  if (event === undefined) throw invalid(field, "is required");
  if (typeof event !== "string") throw invalid(field, "must be a string");
  if (!isValidEventName(event)) {
    throw refused(field, "must be 1–128 characters of A-Z a-z 0-9 _ . : -");
  }
  return event;
}

/** Parses a JSON body text; empty or malformed text is `invalid_body`. */
export function parseJson(text: string): unknown {
  if (text.trim() === "") {
    throw new SwitchyardError("invalid_body", "The body is empty; send JSON", { field: "" });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SwitchyardError("invalid_body", `The body is not valid JSON: ${reason}`, {
      field: "",
    });
  }
}

function publishItem(value: unknown, prefix: string): PublishItem {
  const body = expectObject(value, prefix);
  rejectUnknown(body, ["channel", "event", "data", "idempotencyKey"], prefix);
  const channelField = join(prefix, "channel");
  const channel = body.channel;
  if (channel === undefined) throw invalid(channelField, "is required");
  if (typeof channel !== "string") throw invalid(channelField, "must be a string");
  if (!isValidChannel(channel)) {
    throw new SwitchyardError("invalid_channel", `Invalid channel name in "${channelField}"`, {
      field: channelField,
    });
  }
  const item: PublishItem = { channel, event: expectEvent(body, prefix) };
  if (body.data !== undefined) item.data = body.data;
  const key = body.idempotencyKey;
  if (key !== undefined) {
    const keyField = join(prefix, "idempotencyKey");
    if (typeof key !== "string") throw invalid(keyField, "must be a string");
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw refused(keyField, `must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    item.idempotencyKey = key;
  }
  return item;
}

/**
 * Validates the body of `POST /api/publish`: one event object, or an array of 1–100 of them.
 * Every item is checked before anything is published.
 */
export function parsePublishBody(body: unknown): PublishItem | PublishItem[] {
  if (!Array.isArray(body)) return publishItem(body, "");
  if (body.length === 0) {
    throw new SwitchyardError("invalid_body", "The array of events is empty", { field: "" });
  }
  if (body.length > MAX_PUBLISH_BATCH) {
    throw new SwitchyardError(
      "invalid_body",
      `At most ${MAX_PUBLISH_BATCH} events per request (got ${body.length})`,
      { field: "", max: MAX_PUBLISH_BATCH },
    );
  }
  return body.map((item, index) => publishItem(item, `[${index}]`));
}

/** Exactly one of clientId / sessionId / userId, each a valid id. */
function oneId(body: Record<string, unknown>, prefix: string): { field: IdField; id: string } {
  rejectUnknown(body, ID_FIELDS, prefix);
  const present = ID_FIELDS.filter((field) => body[field] !== undefined);
  const [field] = present;
  if (field === undefined || present.length > 1) {
    throw new SwitchyardError(
      "invalid_body",
      `Give exactly one of ${ID_FIELDS.map((name) => join(prefix, name)).join(", ")}`,
      { field: prefix },
    );
  }
  const id = body[field];
  if (typeof id !== "string") throw invalid(join(prefix, field), "must be a string");
  if (!isValidId(id)) throw refused(join(prefix, field), ID_SYNTAX);
  return { field, id };
}

function sendTarget(value: unknown): SendTarget {
  if (value === undefined) throw invalid("to", "is required");
  if (value === "everyone") return "everyone";
  if (typeof value === "string") throw refused("to", 'must be "everyone" or an object');
  const { field, id } = oneId(expectObject(value, "to"), "to");
  switch (field) {
    case "clientId":
      return { clientId: id };
    case "sessionId":
      return { sessionId: id };
    case "userId":
      return { userId: id };
  }
}

/** Validates the body of `POST /api/send`. */
export function parseSendBody(value: unknown): SendRequest {
  const body = expectObject(value, "");
  rejectUnknown(body, ["to", "event", "data"], "");
  const request: SendRequest = { to: sendTarget(body.to), event: expectEvent(body, "") };
  if (body.data !== undefined) request.data = body.data;
  return request;
}

/** Validates the body of `POST /api/disconnect`. */
export function parseDisconnectBody(value: unknown): DisconnectRequest {
  const { field, id } = oneId(expectObject(value, ""), "");
  switch (field) {
    case "clientId":
      return { clientId: id };
    case "sessionId":
      return { sessionId: id };
    case "userId":
      return { userId: id };
  }
}

function integerParam(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
  // Not an integer at all is the wrong type; an integer out of range a refused value.
  if (!/^-?\d+$/.test(raw)) {
    throw new SwitchyardError(
      "invalid_body",
      `Invalid query parameter "${name}": must be an integer ${range}`,
      { field: name },
    );
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw refused(name, `must be an integer ${range}`);
  }
  return value;
}

/** Validates `after` (offset ≥ 0) and `limit` (1–1000) of a history request. */
export function parseHistoryQuery(query: {
  after?: string | undefined;
  limit?: string | undefined;
}): HistoryParams {
  const params: HistoryParams = {};
  const after = integerParam("after", query.after, 0, Number.MAX_SAFE_INTEGER);
  const limit = integerParam("limit", query.limit, 1, MAX_HISTORY_LIMIT);
  if (after !== undefined) params.after = after;
  if (limit !== undefined) params.limit = limit;
  return params;
}
