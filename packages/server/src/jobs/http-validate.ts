import { isValidId, type JobVisibility, SwitchyardError } from "@switchyard/protocol";
import { parseJson } from "../http/validate.js";
import type { JobOwnerInput } from "./access.js";
import type { CreateJobOptions } from "./jobs.js";
import { MAX_STEP_LENGTH } from "./options.js";

/** Bodies of the job routes of the HTTP API, checked for shape (`invalid_body`). */

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

function optionalString(body: Record<string, unknown>, field: string, max: number) {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(field, "must be a string");
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  return value;
}

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw invalid(field, "must be a number");
  return value;
}

function requiredNumber(body: Record<string, unknown>, field: string): number {
  if (body[field] === undefined) throw invalid(field, "is required");
  return optionalNumber(body, field) as number;
}

function owner(value: unknown): JobOwnerInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw invalid("owner", "must be an object");
  const fields = value as Record<string, unknown>;
  const out: JobOwnerInput = {};
  for (const key of Object.keys(fields)) {
    if (key !== "userId" && key !== "sessionId") throw invalid(`owner.${key}`, "unknown field");
    const id = fields[key];
    if (id === undefined || id === null) continue;
    if (!isValidId(id)) {
      throw invalid(`owner.${key}`, "must be 1–128 characters of A-Z a-z 0-9 _ . @ | : -");
    }
    out[key] = id;
  }
  return out;
}

const VISIBILITIES: readonly JobVisibility[] = ["owner", "authenticated", "anyone"];

/** `POST /api/jobs`. */
export function parseCreateJob(text: string): CreateJobOptions {
  const body = jobBody(text, ["id", "owner", "meta", "visibility", "queued"]);
  const options: CreateJobOptions = {};
  if (body.id !== undefined && body.id !== null) {
    if (!isValidId(body.id)) {
      throw invalid("id", "must be 1–128 characters of A-Z a-z 0-9 _ . @ | : -");
    }
    options.id = body.id;
  }
  const who = owner(body.owner);
  if (who !== undefined) options.owner = who;
  if (body.meta !== undefined) options.meta = body.meta;
  if (body.visibility !== undefined) {
    if (!VISIBILITIES.includes(body.visibility as JobVisibility)) {
      throw invalid("visibility", `must be one of ${VISIBILITIES.join(", ")}`);
    }
    options.visibility = body.visibility as JobVisibility;
  }
  if (body.queued !== undefined) {
    if (typeof body.queued !== "boolean") throw invalid("queued", "must be a boolean");
    options.queued = body.queued;
  }
  return options;
}

/** `POST /api/jobs/{id}/progress` (range and order are the job's to check). */
export function parseProgress(text: string): { percent: number; step?: string; eta?: number } {
  const body = jobBody(text, ["percent", "step", "eta"]);
  const out: { percent: number; step?: string; eta?: number } = {
    percent: requiredNumber(body, "percent"),
  };
  const step = optionalString(body, "step", MAX_STEP_LENGTH);
  if (step !== undefined) out.step = step;
  const eta = optionalNumber(body, "eta");
  if (eta !== undefined) out.eta = eta;
  return out;
}

/** `POST /api/jobs/{id}/chunk`. */
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

/** `POST /api/jobs/{id}/validation`. */
export function parseValidation(text: string): {
  reason: string;
  confidence?: number;
  suggestedActions?: string[];
} {
  const body = jobBody(text, ["reason", "confidence", "suggestedActions"]);
  const reason = optionalString(body, "reason", 2000);
  if (reason === undefined || reason === "") throw invalid("reason", "is required");
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
  const message = optionalString(body, "message", 2000);
  if (message === undefined) throw invalid("message", "is required");
  const out: { message: string; code?: string; retryable?: boolean } = { message };
  const code = optionalString(body, "code", 128);
  if (code !== undefined) out.code = code;
  if (body.retryable !== undefined) {
    if (typeof body.retryable !== "boolean") throw invalid("retryable", "must be a boolean");
    out.retryable = body.retryable;
  }
  return out;
}

/** `POST /api/jobs/{id}/complete`. */
export function parseComplete(text: string): { result: unknown } {
  const body = jobBody(text, ["result"]);
  return { result: body.result === undefined ? null : body.result };
}

/** `POST /api/jobs/{id}/cancel` and `/cancelled`: an optional reason. */
export function parseReason(text: string): { reason?: string } {
  const reason = optionalString(jobBody(text, ["reason"]), "reason", 500);
  return reason === undefined ? {} : { reason };
}

/** The user or session of `GET /api/jobs`. */
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
  const [field, id] = userId !== undefined ? ["userId", userId] : ["sessionId", sessionId];
  if (!isValidId(id)) throw invalid(field, "must be 1–128 characters of A-Z a-z 0-9 _ . @ | : -");
  return field === "userId" ? { userId: id } : { sessionId: id };
}
