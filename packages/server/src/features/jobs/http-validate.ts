import { type JobVisibility, SwitchyardError } from "@switchyard/protocol";
import { parseJson, refused } from "../../http/validate.js";
import type { JobOwnerInput } from "./access.js";
import type { CreateJobOptions } from "./jobs.js";

/**
 * Bodies of the job routes of the HTTP API, read by the rule of docs/http-api.md ("Errors"):
 * a body that is not the route's shape (not JSON, not an object, a missing, unknown or
 * mistyped field) is `invalid_body`. Values of the right type go on to the job, which refuses
 * them with the code it gives through every API (`invalid_data`, `invalid_progress`,
 * `invalid_chunk`); only the lengths of texts that the job itself does not bound are checked
 * here (`invalid_data`).
 */

/** Longest `reason` of a validation request, and `message` of a failure. */
export const MAX_TEXT_LENGTH = 2000;
/** Longest `code` of a failure. */
export const MAX_FAILURE_CODE_LENGTH = 128;
/** Longest `reason` of a cancel. */
export const MAX_CANCEL_REASON_LENGTH = 500;

function invalid(field: string, reason: string): SwitchyardError {
  return new SwitchyardError("invalid_body", `Invalid field "${field}": ${reason}`, { field });
}

/** The body as an object with only `known` fields; an empty body is `{}`. */
export function jobBody(text: string, known: readonly string[]): Record<string, unknown> {
  const value = text.trim() === "" ? {} : parseJson(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SwitchyardError("invalid_body", "The body must be a JSON object", { field: "" });
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw invalid(key, "unknown field");
  }
  return value as Record<string, unknown>;
}

/** A string field (null is absent); longer than `max` is a refused value. */
function optionalString(
  body: Record<string, unknown>,
  field: string,
  max = Number.POSITIVE_INFINITY,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(field, "must be a string");
  if (value.length > max) throw refused(field, `must be at most ${max} characters`);
  return value;
}

function requiredString(body: Record<string, unknown>, field: string, max?: number): string {
  const value = optionalString(body, field, max);
  if (value === undefined) throw invalid(field, "is required");
  return value;
}

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw invalid(field, "must be a number");
  return value;
}

function requiredNumber(body: Record<string, unknown>, field: string): number {
  const value = optionalNumber(body, field);
  if (value === undefined) throw invalid(field, "is required");
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw invalid(field, "must be a boolean");
  return value;
}

function owner(value: unknown): JobOwnerInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalid("owner", "must be an object");
  }
  const fields = value as Record<string, unknown>;
  const out: JobOwnerInput = {};
  for (const key of Object.keys(fields)) {
    if (key !== "userId" && key !== "sessionId") throw invalid(`owner.${key}`, "unknown field");
    const id = fields[key];
    if (id === undefined || id === null) continue;
    if (typeof id !== "string") throw invalid(`owner.${key}`, "must be a string");
    // The job checks the id itself (`invalid_data`).
    out[key] = id;
  }
  return out;
}

/** `POST /api/jobs`. */
export function parseCreateJob(text: string): CreateJobOptions {
  const body = jobBody(text, ["id", "owner", "meta", "visibility", "queued"]);
  const options: CreateJobOptions = {};
  const id = optionalString(body, "id");
  if (id !== undefined) options.id = id;
  const who = owner(body.owner);
  if (who !== undefined) options.owner = who;
  if (body.meta !== undefined) options.meta = body.meta;
  const visibility = optionalString(body, "visibility");
  // Any string reaches the job, which refuses one outside the list with `invalid_data`.
  if (visibility !== undefined) options.visibility = visibility as JobVisibility;
  const queued = optionalBoolean(body, "queued");
  if (queued !== undefined) options.queued = queued;
  return options;
}

/** `POST /api/jobs/{id}/progress` (range, order, step length and eta are the job's to check). */
export function parseProgress(text: string): { percent: number; step?: string; eta?: number } {
  const body = jobBody(text, ["percent", "step", "eta"]);
  const out: { percent: number; step?: string; eta?: number } = {
    percent: requiredNumber(body, "percent"),
  };
  const step = optionalString(body, "step");
  if (step !== undefined) out.step = step;
  const eta = optionalNumber(body, "eta");
  if (eta !== undefined) out.eta = eta;
  return out;
}

/** `POST /api/jobs/{id}/chunk` (index and total are the job's to check). */
export function parseChunk(text: string): { index: number; total?: number; data: unknown } {
  const body = jobBody(text, ["index", "total", "data"]);
  const out: { index: number; total?: number; data: unknown } = {
    index: requiredNumber(body, "index"),
    data: body.data === undefined ? null : body.data,
  };
  const total = optionalNumber(body, "total");
  if (total !== undefined) out.total = total;
  return out;
}

/** `POST /api/jobs/{id}/validation` (an empty reason and the confidence are the job's). */
export function parseValidation(text: string): {
  reason: string;
  confidence?: number;
  suggestedActions?: string[];
} {
  const body = jobBody(text, ["reason", "confidence", "suggestedActions"]);
  const reason = requiredString(body, "reason", MAX_TEXT_LENGTH);
  const out: { reason: string; confidence?: number; suggestedActions?: string[] } = { reason };
  const confidence = optionalNumber(body, "confidence");
  if (confidence !== undefined) out.confidence = confidence;
  const actions = body.suggestedActions;
  if (actions !== undefined) {
    if (!Array.isArray(actions) || actions.some((action) => typeof action !== "string")) {
      throw invalid("suggestedActions", "must be an array of strings");
    }
    out.suggestedActions = actions as string[];
  }
  return out;
}

/** `POST /api/jobs/{id}/fail`. */
export function parseFail(text: string): { message: string; code?: string; retryable?: boolean } {
  const body = jobBody(text, ["message", "code", "retryable"]);
  const out: { message: string; code?: string; retryable?: boolean } = {
    message: requiredString(body, "message", MAX_TEXT_LENGTH),
  };
  const code = optionalString(body, "code", MAX_FAILURE_CODE_LENGTH);
  if (code !== undefined) out.code = code;
  const retryable = optionalBoolean(body, "retryable");
  if (retryable !== undefined) out.retryable = retryable;
  return out;
}

/** `POST /api/jobs/{id}/complete`. */
export function parseComplete(text: string): { result: unknown } {
  const body = jobBody(text, ["result"]);
  return { result: body.result === undefined ? null : body.result };
}

/** `POST /api/jobs/{id}/cancel` and `/cancelled`: an optional reason. */
export function parseReason(text: string): { reason?: string } {
  const reason = optionalString(jobBody(text, ["reason"]), "reason", MAX_CANCEL_REASON_LENGTH);
  return reason === undefined ? {} : { reason };
}

/** The user or session of `GET /api/jobs` (the id's syntax is the job list's to check). */
export function parseListQuery(query: {
  userId?: string | undefined;
  sessionId?: string | undefined;
}): { userId: string } | { sessionId: string } {
  const { userId, sessionId } = query;
  if ((userId === undefined) === (sessionId === undefined)) {
    throw new SwitchyardError("invalid_body", "Give exactly one of userId, sessionId", {
      field: "",
    });
  }
  return userId !== undefined ? { userId } : { sessionId: sessionId as string };
}
