import { MAX_PRESENCE_PAGE } from "../../broker/presence.js";
import type { Json, OpenApiFragment } from "../../core/hub-api.js";
import { errorResponse as errors, ref, response } from "../../http/openapi-parts.js";
import { MAX_CURSOR_LENGTH } from "./channel-presence.js";
import { DEFAULT_PAGE_SIZE } from "./options.js";

const channelParameter: Json = {
  name: "channel",
  in: "path",
  required: true,
  description: "The channel, URL-encoded (`room%3A42`), of a namespace with presence on.",
  schema: ref("Channel"),
};

const count = { members: 2, connections: 4 };

const failures: Record<string, Json> = {
  "400": response("PresenceRefused"),
  "401": response("Unauthorized"),
  "422": response("Refused"),
  "500": response("InternalError"),
};

/** The presence routes' part of the OpenAPI document (merged by `openApiDocument`). */
export const presenceOpenApi: OpenApiFragment = {
  paths: {
    "/api/presence/{channel}": {
      get: {
        operationId: "presenceList",
        summary: "A page of the members present on a channel",
        description:
          "Members are users with all their connections on the channel (three tabs are one member), or anonymous connections alone, in a stable order across every node of the hub. Pass the `cursor` of a page to get the next one. Pages are served above the namespace's cap too.",
        parameters: [
          channelParameter,
          {
            name: "cursor",
            in: "query",
            description: "The `cursor` of the previous page (absent: from the start).",
            schema: { type: "string", minLength: 1, maxLength: MAX_CURSOR_LENGTH },
          },
          {
            name: "limit",
            in: "query",
            description: "At most this many members.",
            schema: {
              type: "integer",
              minimum: 1,
              maximum: MAX_PRESENCE_PAGE,
              default: DEFAULT_PAGE_SIZE,
            },
          },
        ],
        responses: {
          "200": {
            description: "The count and a page of members.",
            content: {
              "application/json": {
                schema: ref("PresencePage"),
                example: {
                  count,
                  members: [
                    { userId: "alice", info: { name: "Alice" }, clientIds: ["c1", "c2", "c3"] },
                    { userId: null, info: null, clientIds: ["c4"] },
                  ],
                  cursor: null,
                },
              },
            },
          },
          ...failures,
        },
      },
    },
    "/api/presence/{channel}/count": {
      get: {
        operationId: "presenceCount",
        summary: "How many are present on a channel",
        description: "One call to the broker, no member list: cheap on any channel.",
        parameters: [channelParameter],
        responses: {
          "200": {
            description: "The count.",
            content: { "application/json": { schema: ref("PresenceCount"), example: count } },
          },
          ...failures,
        },
      },
    },
  },
  schemas: {
    PresenceCount: {
      type: "object",
      required: ["members", "connections"],
      properties: {
        members: { type: "integer", description: "Users, and anonymous connections." },
        connections: { type: "integer" },
      },
    },
    PresenceMember: {
      type: "object",
      required: ["userId", "info", "clientIds"],
      properties: {
        userId: { type: ["string", "null"], description: "null for an anonymous connection." },
        info: { description: "The presence info of the member's first connection." },
        clientIds: { type: "array", items: { type: "string" } },
      },
    },
    PresencePage: {
      type: "object",
      required: ["count", "members", "cursor"],
      properties: {
        count: ref("PresenceCount"),
        members: { type: "array", items: ref("PresenceMember") },
        cursor: {
          type: ["string", "null"],
          description: "Pass it back for the next page; null on the last one.",
        },
      },
    },
  },
  responses: {
    PresenceRefused: errors(
      "Not a valid channel name, or presence is off for the channel's namespace.",
      "invalid_channel",
      "presence_disabled",
    ),
  },
};
