import type { Json, OpenApiFragment } from "../../core/hub-api.js";
import {
  errorResponse as errors,
  jsonBody,
  object,
  ref,
  response,
} from "../../http/openapi-parts.js";

/** The state routes' part of the OpenAPI document (merged by `openApiDocument`). */

const entry: Json = object(
  {
    value: {},
    version: { type: "integer" },
    updatedBy: { type: ["string", "null"] },
    updatedAt: { type: "integer", description: "Milliseconds since the Unix epoch." },
  },
  ["value", "version", "updatedBy", "updatedAt"],
);

const stateSchemas: Record<string, Json> = {
  StateEntry: entry,
  StateDocument: object(
    {
      name: { type: "string" },
      version: { type: "integer", description: "Grows by one with every applied write." },
      entries: { type: "object", additionalProperties: ref("StateEntry") },
    },
    ["name", "version", "entries"],
  ),
  StateChange: object(
    {
      key: { type: "string" },
      value: {},
      deleted: { type: "boolean", const: true },
      version: { type: "integer" },
      updatedBy: { type: ["string", "null"] },
      updatedAt: { type: "integer" },
    },
    ["key", "version", "updatedBy", "updatedAt"],
  ),
  StateWriteResult: object(
    {
      version: { type: "integer" },
      changes: { type: "array", items: ref("StateChange") },
    },
    ["version", "changes"],
  ),
};

const stateResponses: Record<string, Json> = {
  StateNotFound: errors("No state document of this name is declared.", "state_not_found"),
  StateRejected: errors(
    "The write was refused: a key the document does not declare, a value that fails the key's schema (`details.key`, `details.issues`), or a refused field (`details.field`).",
    "state_unknown_key",
    "state_invalid_value",
    "invalid_data",
  ),
  StateConflict: errors(
    "`ifVersion` was given and a key of the write changed after it; `details` holds the document version and the current entries of the keys involved (null: absent).",
    "state_conflict",
  ),
  StateTooLarge: errors(
    "A value over the document's `maxValueBytes`, or the document over its `maxDocumentBytes` (`details.limit`); or the body over the HTTP API's limit.",
    "state_too_large",
    "message_too_large",
  ),
  StateUnknownPreset: errors(
    "The document is declared but has no preset of this name.",
    "state_unknown_preset",
  ),
};

const nameParam: Json = { name: "name", in: "path", required: true, schema: { type: "string" } };
const base = {
  "401": response("Unauthorized"),
  "500": response("InternalError"),
  "404": response("StateNotFound"),
} satisfies Record<string, Json>;
const writes = {
  ...base,
  "400": response("InvalidBody"),
  "409": response("StateConflict"),
  "413": response("StateTooLarge"),
  "422": response("StateRejected"),
};
const result: Json = {
  description: "The document version after the write and what it changed.",
  content: jsonBody(ref("StateWriteResult")),
};
const by: Json = {
  type: "string",
  maxLength: 128,
  description: "`updatedBy` of the keys written (default `server`).",
};
const ifVersion: Json = {
  type: "integer",
  minimum: 0,
  description: "Compare-and-set: refused (409) when a key of the write changed after it.",
};

const statePaths: Record<string, Record<string, Json>> = {
  "/api/state/{name}": {
    get: {
      operationId: "getState",
      summary: "A state document (defaults filled in)",
      parameters: [nameParam],
      responses: {
        "200": { description: "The document.", content: jsonBody(ref("StateDocument")) },
        ...base,
      },
    },
    patch: {
      operationId: "writeState",
      summary: "One atomic write: set and delete keys at one version",
      parameters: [nameParam],
      requestBody: {
        required: true,
        content: jsonBody(
          object({
            set: { type: "object", description: "Keys to set, with their values." },
            delete: { type: "array", items: { type: "string" } },
            ifVersion,
            by,
          }),
          { set: { "physics.damping": 0.4 }, delete: ["debug.grid"], ifVersion: 12 },
        ),
      },
      responses: { "200": result, ...writes },
    },
    put: {
      operationId: "reloadState",
      summary: "Replace the whole document; subscribers get a `reload` event",
      parameters: [nameParam],
      requestBody: {
        required: true,
        content: jsonBody(
          object(
            {
              values: { type: "object", description: "Every key of the new document." },
              reason: { type: "string", maxLength: 256, default: "reload" },
              by,
            },
            ["values"],
          ),
          { values: { "physics.damping": 0.2, "physics.gravity": 9.8 }, reason: "reset" },
        ),
      },
      responses: { "200": result, ...writes },
    },
  },
  "/api/state/{name}/presets/{preset}": {
    post: {
      operationId: "applyStatePreset",
      summary: "Apply a preset the document declares (one write)",
      parameters: [
        nameParam,
        { name: "preset", in: "path", required: true, schema: { type: "string" } },
      ],
      requestBody: { required: false, content: jsonBody(object({ ifVersion, by })) },
      responses: {
        "200": result,
        ...writes,
        "404": errors(
          "No document of this name (`state_not_found`), or no such preset (`state_unknown_preset`).",
          "state_not_found",
          "state_unknown_preset",
        ),
      },
    },
  },
};

/** The OpenAPI fragment of the state routes, merged into the HTTP API's document. */
export const stateOpenApi: OpenApiFragment = {
  paths: statePaths,
  schemas: stateSchemas,
  responses: stateResponses,
};
