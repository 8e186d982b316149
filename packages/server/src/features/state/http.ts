import { SwitchyardError } from "@switchyard/protocol";
import type { FeatureRequest, FeatureRoute } from "../../core/hub-api.js";
import { parseJson } from "../../http/validate.js";
import { SERVER_WRITER } from "./handle.js";
import type { HubState, WriteInput } from "./state.js";

const invalid = (field: string, reason: string) =>
  new SwitchyardError("invalid_body", `Invalid field "${field}": ${reason}`, { field });

/** The JSON object body of a state route; unknown fields and wrong types are `invalid_body`. */
function body(text: string, known: readonly string[]): Record<string, unknown> {
  const value = text.trim() === "" ? {} : parseJson(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SwitchyardError("invalid_body", "The body must be a JSON object", { field: "" });
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!known.includes(key)) throw invalid(key, "unknown field");
  }
  return fields;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function byOf(fields: Record<string, unknown>): string {
  if (fields.by === undefined) return SERVER_WRITER;
  if (typeof fields.by !== "string" || fields.by.length === 0 || fields.by.length > 128) {
    throw invalid("by", "must be a string of 1–128 characters");
  }
  return fields.by;
}

function ifVersionOf(fields: Record<string, unknown>): { ifVersion?: number } {
  const { ifVersion } = fields;
  if (ifVersion === undefined) return {};
  if (typeof ifVersion !== "number" || !Number.isSafeInteger(ifVersion) || ifVersion < 0) {
    throw invalid("ifVersion", "must be an integer ≥ 0");
  }
  return { ifVersion };
}

/** The body of `PATCH /api/state/{name}`. */
export function parsePatch(text: string): { write: WriteInput; by: string } {
  const fields = body(text, ["set", "delete", "ifVersion", "by"]);
  const write: { set?: Record<string, unknown>; delete?: string[]; ifVersion?: number } =
    ifVersionOf(fields);
  if (fields.set !== undefined) {
    if (!isObject(fields.set)) throw invalid("set", "must be an object of keys to values");
    write.set = fields.set;
  }
  if (fields.delete !== undefined) {
    if (!Array.isArray(fields.delete) || !fields.delete.every((key) => typeof key === "string")) {
      throw invalid("delete", "must be an array of keys");
    }
    write.delete = fields.delete;
  }
  return { write, by: byOf(fields) };
}

/** The body of `PUT /api/state/{name}`. */
export function parseReload(text: string): {
  values: Record<string, unknown>;
  reason: string;
  by: string;
} {
  const fields = body(text, ["values", "reason", "by"]);
  if (!isObject(fields.values)) throw invalid("values", "must be an object of keys to values");
  const reason = fields.reason ?? "reload";
  if (typeof reason !== "string" || reason.length > 256) {
    throw invalid("reason", "must be a string of at most 256 characters");
  }
  return { values: fields.values, reason, by: byOf(fields) };
}

const nameOf = (request: FeatureRequest): string => request.params.name ?? "";

/**
 * The state routes of the HTTP API, so a backend in any language reads and changes documents.
 * Server writes: the document's read and write rules do not apply; values are validated.
 */
export function stateRoutes(state: HubState, onReload: (name: string) => void): FeatureRoute[] {
  return [
    { method: "GET", path: "/api/state/:name", handle: (request) => state.get(nameOf(request)) },
    {
      method: "PATCH",
      path: "/api/state/:name",
      handle: async (request) => {
        const name = nameOf(request);
        state.declared.resolve(name);
        const { write, by } = parsePatch(await request.text());
        return state.write(name, write, { by, user: by });
      },
    },
    {
      method: "PUT",
      path: "/api/state/:name",
      handle: async (request) => {
        const name = nameOf(request);
        state.declared.resolve(name);
        const { values, reason, by } = parseReload(await request.text());
        const result = await state.reload(name, values, { reason, by });
        onReload(name);
        return result;
      },
    },
    {
      method: "POST",
      path: "/api/state/:name/presets/:preset",
      handle: async (request) => {
        const name = nameOf(request);
        state.declared.resolve(name);
        const fields = body(await request.text(), ["ifVersion", "by"]);
        const by = byOf(fields);
        const preset = request.params.preset ?? "";
        return state.preset(name, preset, { by, user: by }, ifVersionOf(fields).ifVersion);
      },
    },
  ];
}
