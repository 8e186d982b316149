import { ERRORS, type ErrorCode } from "@switchyard/protocol";
import type { Json } from "../core/hub-api.js";

/**
 * The small builders every part of the OpenAPI document is written with: the core routes'
 * document and each feature's fragment (`host.routes(routes, openapi)`).
 */

/** A reference to a schema of `components.schemas`. */
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** A reference to a response of `components.responses`. */
export const response = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** A JSON request or response body with its schema (and an example). */
export const jsonBody = (schema: Json, example?: Json): Json => ({
  "application/json": example === undefined ? { schema } : { schema, example },
});

/** A closed object schema: only `properties`, of which `required` must be present. */
export const object = (properties: { [key: string]: Json }, required: string[] = []): Json => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

/** The `{"error": …}` body of a code, with its default message (and details). */
export function errorExample(code: ErrorCode, message?: string, details?: Json): Json {
  const error: { [key: string]: Json } = { code, message: message ?? ERRORS[code].message };
  if (details !== undefined) error.details = details;
  return { error };
}

/** An error response answering any of `codes`, one named example each. */
export function errorResponse(description: string, ...codes: ErrorCode[]): Json {
  const examples: { [key: string]: Json } = {};
  for (const code of codes) examples[code] = { value: errorExample(code) };
  return { description, content: { "application/json": { schema: ref("Error"), examples } } };
}
