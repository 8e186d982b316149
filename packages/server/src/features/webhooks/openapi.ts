import { ERROR_CODES } from "@switchyard/protocol";
import type { Json, OpenApiFragment } from "../../core/hub-api.js";
import { ref } from "../../http/openapi-parts.js";
import { SIGNATURE_HEADER } from "../../http/signature.js";
import { WEBHOOK_EVENTS, type WebhookEventName } from "./options.js";

/**
 * The OpenAPI 3.1 `webhooks` section: the request the hub sends the backend for each event
 * type, with the schemas of every event, so a backend can generate its types. It describes
 * the same shapes as events.ts.
 */

/** `connected` → `ConnectedWebhookEvent`. */
export function webhookSchemaName(type: WebhookEventName): string {
  const pascal = type
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  return `${pascal}WebhookEvent`;
}

const string: Json = { type: "string" };
const nullableString: Json = { type: ["string", "null"] };
const time: Json = { type: "integer", description: "Milliseconds since the Unix epoch." };
const nullableTime: Json = { type: ["integer", "null"] };

function object(properties: Record<string, Json>, description?: string): Json {
  const schema: { [key: string]: Json } = {
    type: "object",
    required: Object.keys(properties),
    properties,
  };
  if (description !== undefined) schema.description = description;
  return schema;
}

const client = {
  clientId: string,
  sessionId: string,
  userId: { ...(nullableString as object), description: "null for an anonymous client" },
};

const presence = object({
  channel: string,
  clientId: string,
  userId: nullableString,
  info: { description: "The connection's presence info." },
});

const DATA: Record<WebhookEventName, Json> = {
  connected: object({
    ...client,
    ip: string,
    codec: { type: "string", enum: ["json", "msgpack"] },
  }),
  disconnected: object({
    ...client,
    code: {
      type: "integer",
      description: "WebSocket close code (1000 normal, 1006 abnormal, 4xxx the hub's).",
    },
    reason: {
      oneOf: [{ type: "string", enum: [...ERROR_CODES] }, { type: "null" }],
      description:
        "The hub's error code when it closed the connection for a reason (docs/errors.md).",
    },
  }),
  subscribed: object({ ...client, channel: string }),
  unsubscribed: object({ ...client, channel: string }),
  presence_join: presence,
  presence_leave: presence,
  channel_occupied: object({ channel: string }),
  channel_vacated: object({ channel: string }),
  job_completed: object({ job: ref("WebhookJob") }),
  job_failed: object({
    job: ref("WebhookJob"),
    error: object({ message: string, code: nullableString, retryable: { type: "boolean" } }),
  }),
  job_cancelled: object({ job: ref("WebhookJob"), reason: nullableString }),
};

const SUMMARIES: Record<WebhookEventName, string> = {
  connected: "A client connected (its connect request succeeded).",
  disconnected:
    "A client's connection ended, with the close code and the hub's reason; sent at once.",
  subscribed: "A client subscribed to a channel.",
  unsubscribed: "A client's subscription ended (unsubscribe or disconnect).",
  presence_join: "A member joined a presence channel (not after a leave within the grace).",
  presence_leave: "A member left a presence channel and did not come back within the grace.",
  channel_occupied: "A channel got its first subscriber in the cluster; reported by one node.",
  channel_vacated:
    "A channel's last subscriber in the cluster left, and none came within the grace; reported by one node.",
  job_completed: "A job completed (fetch its result with GET /api/jobs/{id}).",
  job_failed: "A job failed.",
  job_cancelled: "A job was cancelled.",
};

const schemas: Record<string, Json> = {
  WebhookJob: object({
    id: string,
    owner: object({ userId: nullableString, sessionId: nullableString }),
    meta: { description: "What the producer attached at creation." },
    createdAt: time,
    startedAt: nullableTime,
    finishedAt: nullableTime,
  }),
  WebhookEvent: {
    oneOf: WEBHOOK_EVENTS.map((type) => ref(webhookSchemaName(type))),
    discriminator: {
      propertyName: "type",
      mapping: Object.fromEntries(
        WEBHOOK_EVENTS.map((type) => [type, `#/components/schemas/${webhookSchemaName(type)}`]),
      ),
    },
  },
  WebhookBody: object(
    { events: { type: "array", minItems: 1, items: ref("WebhookEvent") } },
    "The body of every webhook request: a batch of events of any types, oldest first.",
  ),
};
for (const type of WEBHOOK_EVENTS) {
  schemas[webhookSchemaName(type)] = object(
    {
      id: {
        type: "string",
        description: "Unique and time-ordered; de-duplicate by it (delivery is at least once).",
      },
      type: { const: type },
      time,
      node: { type: "string", description: "The hub node that reported the event." },
      data: DATA[type],
    },
    SUMMARIES[type],
  );
}

const signatureParameter: Json = {
  name: SIGNATURE_HEADER,
  in: "header",
  required: true,
  description:
    '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one `v1` per secret while secrets rotate. Reject a request whose timestamp is more than 300 s from your clock (docs/webhooks.md).',
  schema: { type: "string", pattern: "^t=\\d+(,v1=[0-9a-f]{64})+$" },
};

const webhooks: Record<string, Json> = {};
for (const type of WEBHOOK_EVENTS) {
  webhooks[type] = {
    post: {
      operationId: `webhook_${type}`,
      summary: SUMMARIES[type],
      description: `Events of type \`${type}\` (schema \`${webhookSchemaName(type)}\`) arrive in the common batch body, possibly with events of other types.`,
      parameters: [signatureParameter],
      requestBody: {
        required: true,
        content: { "application/json": { schema: ref("WebhookBody") } },
      },
      responses: {
        "2XX": { description: "Received: the batch will not be sent again." },
        default: {
          description:
            "Anything else (or no answer in time): the batch is retried with the same event ids.",
        },
      },
    },
  };
}

/** The webhooks feature's part of the OpenAPI document: no routes, its `webhooks` and schemas. */
export const webhookOpenApi: OpenApiFragment = { paths: {}, schemas, webhooks };
