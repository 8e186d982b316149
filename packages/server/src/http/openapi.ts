import { closeCodeOf, ERROR_CODES, MAX_CHANNEL_LENGTH } from "@switchyard/protocol";
import type { InstalledFeature, Json } from "../core/hub-api.js";
import { errorResponse, jsonBody, ref, response } from "./openapi-parts.js";
import { MAX_HISTORY_LIMIT, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_PUBLISH_BATCH } from "./validate.js";

/** The parts of an OpenAPI 3.1 document that {@link openApiDocument} fills in. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, Json>>;
  components: Record<string, Record<string, Json>>;
  [key: string]: Json;
}

const idSchema: Json = {
  type: "string",
  pattern: "^[A-Za-z0-9_.@|:-]{1,128}$",
};

const idTargets: Json[] = ["clientId", "sessionId", "userId"].map((field) => ({
  type: "object",
  required: [field],
  additionalProperties: false,
  properties: { [field]: idSchema },
}));

const schemas: Record<string, Json> = {
  ErrorCode: { type: "string", enum: [...ERROR_CODES], description: "See docs/errors.md" },
  Error: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: ref("ErrorCode"),
          message: { type: "string" },
          details: { description: "Machine-readable facts, e.g. the bad field in `field`." },
        },
      },
    },
  },
  Channel: {
    type: "string",
    maxLength: MAX_CHANNEL_LENGTH,
    pattern: "^\\$?[A-Za-z0-9_.-]+(?::[^\\s]+)?$",
    description: "`namespace:name` (`job:7f3a`) or a bare name (`equipment`).",
    examples: ["news", "job:7f3a"],
  },
  EventName: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,128}$", examples: ["progress"] },
  PublishRequest: {
    type: "object",
    required: ["channel", "event"],
    additionalProperties: false,
    properties: {
      channel: ref("Channel"),
      event: ref("EventName"),
      data: { description: "Any JSON value; validated against the namespace's event schema." },
      idempotencyKey: {
        type: "string",
        minLength: 1,
        maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
        description:
          "A retried publish with the same key on the same channel within 2 minutes is not published again.",
      },
    },
  },
  PublishResult: {
    type: "object",
    properties: {
      offset: { type: "integer", description: "Offset of the event (channels with history)." },
      epoch: { type: "string", description: "Epoch of the channel's stream (with history)." },
      duplicate: {
        type: "boolean",
        description:
          "Present when the publish has an idempotencyKey: true when the key was seen before (nothing published), false otherwise.",
      },
    },
  },
  SendTarget: {
    description: 'Who receives the event: `"everyone"`, or exactly one client, session or user.',
    oneOf: [{ const: "everyone" }, ...idTargets],
  },
  SendRequest: {
    type: "object",
    required: ["to", "event"],
    additionalProperties: false,
    properties: { to: ref("SendTarget"), event: ref("EventName"), data: {} },
  },
  ChannelInfo: {
    type: "object",
    required: ["channel", "subscribers"],
    properties: {
      channel: ref("Channel"),
      subscribers: { type: "integer", description: "Subscribers on this node." },
    },
  },
  Event: {
    type: "object",
    required: ["channel", "event", "timestamp"],
    properties: {
      channel: ref("Channel"),
      event: ref("EventName"),
      data: {},
      offset: { type: "integer" },
      epoch: { type: "string" },
      timestamp: { type: "integer", description: "Milliseconds since the Unix epoch." },
    },
  },
  HistoryPage: {
    type: "object",
    required: ["epoch", "offset", "events"],
    properties: {
      epoch: { type: "string" },
      offset: { type: "integer", description: "Offset of the channel's newest event." },
      events: { type: "array", items: ref("Event") },
    },
  },
  DisconnectRequest: {
    description: "Exactly one of clientId, sessionId, userId.",
    oneOf: idTargets,
  },
};

const responses: Record<string, Json> = {
  InvalidBody: errorResponse(
    "The request is not the route's shape: the body is not JSON or not an object, a field is missing, unknown or of the wrong type, or a query parameter is not an integer (`invalid_body`); or the channel name is not valid (`invalid_channel`). `details.field` names the field.",
    "invalid_body",
    "invalid_channel",
  ),
  Refused: errorResponse(
    "A field of the right type whose value is refused: an id or event name that breaks its syntax, an idempotency key of 0 or over 256 characters, a history limit outside 1–1000 (`details.field` names it).",
    "invalid_data",
  ),
  Unauthorized: errorResponse(
    "No `Authorization: Bearer <key>` header, or a wrong key.",
    "api_key_required",
    "api_key_invalid",
  ),
  TooLarge: errorResponse(
    "The body exceeds the size limit (1 MiB by default).",
    "message_too_large",
  ),
  Rejected: errorResponse(
    "The hub refused the request: no namespace for the channel, an event the namespace does not declare, data that fails its event schema, or a refused value (`details.field`).",
    "unknown_namespace",
    "unknown_event",
    "invalid_data",
  ),
  InternalError: errorResponse("An unexpected error (logged by the server).", "internal_error"),
};

const common = {
  "401": response("Unauthorized"),
  "500": response("InternalError"),
} satisfies Record<string, Json>;

const withBody = { ...common, "400": response("InvalidBody"), "413": response("TooLarge") };

const paths: Record<string, Record<string, Json>> = {
  "/api/publish": {
    post: {
      operationId: "publish",
      summary: "Publish one event, or up to 100 in order",
      description: `Publishes as the server: validated against the namespace's event schemas, never permission-checked. An array is validated as a whole first, then published item by item; on the first refused item the error's \`details\` hold its \`index\` and the results \`published\` before it. At most ${MAX_PUBLISH_BATCH} items.`,
      requestBody: {
        required: true,
        content: jsonBody(
          {
            oneOf: [
              ref("PublishRequest"),
              {
                type: "array",
                minItems: 1,
                maxItems: MAX_PUBLISH_BATCH,
                items: ref("PublishRequest"),
              },
            ],
          },
          {
            channel: "job:7f3a",
            event: "progress",
            data: { percent: 40 },
            idempotencyKey: "7f3a-40",
          },
        ),
      },
      responses: {
        "200": {
          description: "Published: one result, or `results` in the order of the array.",
          content: jsonBody(
            {
              oneOf: [
                ref("PublishResult"),
                {
                  type: "object",
                  required: ["results"],
                  properties: { results: { type: "array", items: ref("PublishResult") } },
                },
              ],
            },
            { offset: 12, epoch: "k3j9x", duplicate: false },
          ),
        },
        ...withBody,
        "404": response("Rejected"),
        "422": response("Rejected"),
      },
    },
  },
  "/api/send": {
    post: {
      operationId: "send",
      summary: "Send an event to one client, session or user, or to everyone",
      description:
        "Publishes to the personal channel of the target (`$client:<id>`, `$session:<id>`, `$user:<id>`, `$broadcast`), so the event gets an offset and is recovered after a reconnect.",
      requestBody: {
        required: true,
        content: jsonBody(ref("SendRequest"), {
          to: { userId: "alice" },
          event: "notice",
          data: { text: "Your export is ready" },
        }),
      },
      responses: {
        "200": {
          description: "Published to the target's personal channel.",
          content: jsonBody(ref("PublishResult"), { offset: 3, epoch: "p0q1" }),
        },
        ...withBody,
        "422": response("Refused"),
      },
    },
  },
  "/api/channels": {
    get: {
      operationId: "listChannels",
      summary: "Channels with subscribers on this node",
      responses: {
        "200": {
          description: "The channels and their subscriber counts.",
          content: jsonBody(
            {
              type: "object",
              required: ["channels"],
              properties: { channels: { type: "array", items: ref("ChannelInfo") } },
            },
            { channels: [{ channel: "news", subscribers: 2 }] },
          ),
        },
        ...common,
      },
    },
  },
  "/api/channels/{channel}/history": {
    get: {
      operationId: "history",
      summary: "A page of a channel's history",
      parameters: [
        {
          name: "channel",
          in: "path",
          required: true,
          description: "The channel, URL-encoded (`job%3A7f3a`).",
          schema: ref("Channel"),
        },
        {
          name: "after",
          in: "query",
          description: "Only events with a greater offset (default: from the oldest kept).",
          schema: { type: "integer", minimum: 0 },
        },
        {
          name: "limit",
          in: "query",
          description: "At most this many events; the newest ones when `after` is absent.",
          schema: { type: "integer", minimum: 1, maximum: MAX_HISTORY_LIMIT, default: 100 },
        },
      ],
      responses: {
        "200": {
          description: "The channel's position and the events of the page, in offset order.",
          content: jsonBody(ref("HistoryPage"), {
            epoch: "k3j9x",
            offset: 2,
            events: [
              {
                channel: "news",
                event: "headline",
                data: { title: "Hi" },
                offset: 2,
                timestamp: 1767225600000,
              },
            ],
          }),
        },
        ...common,
        "400": response("InvalidBody"),
        "404": response("Rejected"),
        "422": response("Refused"),
      },
    },
  },
  "/api/disconnect": {
    post: {
      operationId: "disconnect",
      summary: "Close the connections of a client, session or user on this node",
      description: `Closed clients get close code ${closeCodeOf("disconnected")} \`disconnected\` (terminal: they do not reconnect).`,
      requestBody: {
        required: true,
        content: jsonBody(ref("DisconnectRequest"), { userId: "mallory" }),
      },
      responses: {
        "200": {
          description: "How many connections were closed.",
          content: jsonBody(
            {
              type: "object",
              required: ["disconnected"],
              properties: { disconnected: { type: "integer", minimum: 0 } },
            },
            { disconnected: 2 },
          ),
        },
        ...withBody,
        "422": response("Refused"),
      },
    },
  },
  "/api/openapi.json": {
    get: {
      operationId: "openapi",
      summary: "This document (no API key needed)",
      security: [],
      responses: { "200": { description: "The OpenAPI 3.1 document.", content: jsonBody({}) } },
    },
  },
};

/**
 * The hand-written OpenAPI 3.1 document of the HTTP API, served at `/api/openapi.json`: the
 * core routes and the fragments of the hub's features, with the `webhooks` the hub sends (the
 * webhooks feature's bodies, the proxies' requests) when those are installed.
 */
export function openApiDocument(options: {
  serverUrl: string;
  features: readonly InstalledFeature[];
}): OpenApiDocument {
  const featurePaths: Record<string, Record<string, Json>> = {};
  const featureSchemas: Record<string, Json> = {};
  const featureResponses: Record<string, Json> = {};
  const webhooks: Record<string, Json> = {};
  for (const { openapi } of options.features) {
    if (openapi === undefined) continue;
    Object.assign(featurePaths, openapi.paths);
    Object.assign(webhooks, openapi.webhooks);
    Object.assign(featureSchemas, openapi.schemas);
    Object.assign(featureResponses, openapi.responses);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchyard HTTP API",
      version: "1",
      description:
        'Publish events, send to clients, read channel history, disconnect clients and run jobs (progress, partial results, cancel) for workers in any language on a Switchyard hub. Every route except this document needs `Authorization: Bearer <api key>`. Errors are `{"error":{"code","message","details?"}}`; the codes are listed in docs/errors.md.',
    },
    servers: [{ url: options.serverUrl }],
    security: [{ apiKey: [] }],
    paths: { ...paths, ...featurePaths },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "The hub's API key." },
      },
      schemas: { ...schemas, ...featureSchemas },
      responses: { ...responses, ...featureResponses },
    },
    ...(Object.keys(webhooks).length === 0 ? {} : { webhooks }),
  };
}
