import type { Json, OpenApiFragment } from "../../core/hub-api.js";
import {
  errorResponse as errors,
  jsonBody,
  object,
  ref,
  response,
} from "../../http/openapi-parts.js";
import {
  MAX_CANCEL_REASON_LENGTH,
  MAX_FAILURE_CODE_LENGTH,
  MAX_TEXT_LENGTH,
} from "./http-validate.js";
import { MAX_STEP_LENGTH } from "./options.js";

/** The job routes' part of the OpenAPI document (merged by `openApiDocument`). */

const nullable = (schema: { [key: string]: Json }): Json => ({
  ...schema,
  type: [schema.type as string, "null"],
});

const jobSchemas: Record<string, Json> = {
  JobStatus: {
    type: "string",
    enum: ["queued", "running", "cancelling", "completed", "failed", "cancelled"],
  },
  JobInfo: {
    type: "object",
    description: "A job: the snapshot clients get in their subscribe reply, plus its owner.",
    required: ["id", "status", "percent", "chunks", "seq"],
    properties: {
      id: { type: "string" },
      status: ref("JobStatus"),
      percent: { type: "number", minimum: 0, maximum: 100 },
      step: nullable({ type: "string" }),
      eta: nullable({ type: "number", description: "Seconds left as of `updatedAt`." }),
      meta: {},
      visibility: { type: "string", enum: ["owner", "authenticated", "anyone"] },
      owner: {
        type: "object",
        properties: {
          userId: nullable({ type: "string" }),
          sessionId: nullable({ type: "string" }),
        },
      },
      createdAt: { type: "integer" },
      startedAt: nullable({ type: "integer" }),
      updatedAt: { type: "integer" },
      finishedAt: nullable({ type: "integer" }),
      cancelRequested: { type: "boolean" },
      chunks: {
        type: "object",
        properties: {
          count: { type: "integer" },
          total: nullable({ type: "integer" }),
          items: {
            type: "array",
            description: "The chunks kept for late joiners (absent in listings).",
            items: { type: "object", properties: { index: { type: "integer" }, data: {} } },
          },
          truncated: { type: "boolean" },
        },
      },
      result: {},
      error: nullable({
        type: "object",
        properties: {
          message: { type: "string" },
          code: nullable({ type: "string" }),
          retryable: { type: "boolean" },
        },
      }),
      validation: nullable({ type: "object" }),
      seq: { type: "integer" },
    },
  },
  JobAck: {
    type: "object",
    description: "The answer to every worker report: stop when `cancelRequested` is true.",
    required: ["id", "status", "cancelRequested", "percent"],
    properties: {
      id: { type: "string" },
      status: ref("JobStatus"),
      cancelRequested: { type: "boolean" },
      percent: { type: "number" },
    },
  },
};

const jobResponses: Record<string, Json> = {
  JobNotFound: errors("No kept job has this id.", "job_not_found"),
  JobConflict: errors(
    "The job already finished, the id is taken, or the chunk index was already received.",
    "job_finished",
    "job_exists",
    "duplicate_chunk",
  ),
  JobRejected: errors(
    "A refused value: progress outside 0–100 or going backwards, a chunk index outside its total, bad job options, validation data or ids, a text over its length (`details.field`).",
    "invalid_progress",
    "invalid_chunk",
    "invalid_data",
  ),
};

const ack = { description: "Accepted.", content: jsonBody(ref("JobAck")) };
const info = (description: string) => ({ description, content: jsonBody(ref("JobInfo")) });
const base = {
  "401": response("Unauthorized"),
  "500": response("InternalError"),
  "400": response("InvalidBody"),
} satisfies Record<string, Json>;
const onJob = { ...base, "404": response("JobNotFound"), "409": response("JobConflict") };
const idParam: Json = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9_.@|:-]{1,128}$" },
};

function report(
  operationId: string,
  summary: string,
  body: Json,
  example?: Json,
): Record<string, Json> {
  const operation: { [key: string]: Json } = {
    operationId,
    summary,
    parameters: [idParam],
    responses: {
      "200": ack,
      ...onJob,
      "413": response("TooLarge"),
      "422": response("JobRejected"),
    },
  };
  operation.requestBody = { required: false, content: jsonBody(body, example) };
  return { post: operation };
}

const jobPaths: Record<string, Record<string, Json>> = {
  "/api/jobs": {
    post: {
      operationId: "createJob",
      summary: "Create a job (running, or queued until its worker starts it)",
      requestBody: {
        required: false,
        content: jsonBody(
          object({
            id: { type: "string", pattern: "^[A-Za-z0-9_.@|:-]{1,128}$" },
            owner: object({ userId: { type: "string" }, sessionId: { type: "string" } }),
            meta: {},
            visibility: { type: "string", enum: ["owner", "authenticated", "anyone"] },
            queued: { type: "boolean", default: false },
          }),
          { owner: { userId: "alice" }, meta: { algorithm: "segmentation_3d" }, queued: true },
        ),
      },
      responses: {
        "200": info("The new job."),
        ...base,
        "409": response("JobConflict"),
        "422": response("JobRejected"),
      },
    },
    get: {
      operationId: "listJobs",
      summary: "The kept jobs of a user or a session, newest first",
      parameters: [
        { name: "userId", in: "query", schema: { type: "string" } },
        { name: "sessionId", in: "query", schema: { type: "string" } },
      ],
      responses: {
        "200": {
          description: "The jobs, without chunk data.",
          content: jsonBody(object({ jobs: { type: "array", items: ref("JobInfo") } })),
        },
        ...base,
        "422": response("JobRejected"),
      },
    },
  },
  "/api/jobs/{id}": {
    get: {
      operationId: "getJob",
      summary: "A job's snapshot with its kept chunks",
      parameters: [idParam],
      responses: { "200": info("The job."), ...base, "404": response("JobNotFound") },
    },
  },
  "/api/jobs/{id}/start": report("startJob", "Start a queued job (`started`)", object({})),
  "/api/jobs/{id}/progress": report(
    "reportProgress",
    "Report progress (throttled to 10 events per second, conflated)",
    object(
      {
        percent: { type: "number", minimum: 0, maximum: 100 },
        step: { type: "string", maxLength: MAX_STEP_LENGTH },
        eta: { type: "number", minimum: 0, description: "Seconds left; estimated when absent." },
      },
      ["percent"],
    ),
    { percent: 45.5, step: "Running 3D segmentation" },
  ),
  "/api/jobs/{id}/chunk": report(
    "postChunk",
    "Publish a partial result (each index once, in the order posted)",
    object({ index: { type: "integer", minimum: 0 }, total: { type: "integer" }, data: {} }, [
      "index",
    ]),
    { index: 0, total: 8, data: { rows: [[61.2, 60.8]] } },
  ),
  "/api/jobs/{id}/validation": report(
    "requireValidation",
    "Ask a person to review the result (`validation_required`)",
    object(
      {
        reason: { type: "string", minLength: 1, maxLength: MAX_TEXT_LENGTH },
        confidence: { type: "number", minimum: 0, maximum: 1 },
        suggestedActions: { type: "array", items: { type: "string" } },
      },
      ["reason"],
    ),
  ),
  "/api/jobs/{id}/complete": report(
    "completeJob",
    "Complete the job with its result",
    object({ result: {} }),
  ),
  "/api/jobs/{id}/fail": report(
    "failJob",
    "Fail the job",
    object(
      {
        message: { type: "string", maxLength: MAX_TEXT_LENGTH },
        code: { type: "string", maxLength: MAX_FAILURE_CODE_LENGTH },
        retryable: { type: "boolean" },
      },
      ["message"],
    ),
  ),
  "/api/jobs/{id}/cancelled": report(
    "confirmCancel",
    "Confirm that the worker stopped after a cancel request (`cancelled`)",
    object({ reason: { type: "string", maxLength: MAX_CANCEL_REASON_LENGTH } }),
  ),
  "/api/jobs/{id}/cancel": {
    post: {
      operationId: "cancelJob",
      summary: "Request cancellation (`cancel_requested`); a queued job is cancelled at once",
      parameters: [idParam],
      requestBody: {
        required: false,
        content: jsonBody(
          object({ reason: { type: "string", maxLength: MAX_CANCEL_REASON_LENGTH } }),
        ),
      },
      responses: {
        "200": info("The job after the request."),
        ...onJob,
        "422": response("JobRejected"),
      },
    },
  },
};

/** The OpenAPI fragment of the job routes, merged into the HTTP API's document. */
export const jobOpenApi: OpenApiFragment = {
  paths: jobPaths,
  schemas: jobSchemas,
  responses: jobResponses,
};
