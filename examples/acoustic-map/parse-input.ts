/**
 * Parses RPC input with a zod schema and turns its issues into one `invalid_data` error whose
 * `details.issues` name each bad parameter and suggest a value:
 *
 * ```json
 * { "code": "invalid_data",
 *   "message": "Invalid data for 'map.compute' at 'grid.resolution': Too small: … (suggested: 0.05)",
 *   "details": { "issues": [{ "path": ["grid", "resolution"], "message": "…", "suggested": 0.05 }] } }
 * ```
 */
import { SwitchyardError } from "@switchyard/server";
import type { z } from "zod";
import { RANGES } from "./schemas.js";

/** One problem of the input, as sent in `details.issues`. */
export interface InputIssue {
  /** Where the bad value is, from the input's root (`["grid", "resolution"]`). */
  path: (string | number)[];
  message: string;
  /** A value that would be accepted here, when there is an obvious one. */
  suggested?: unknown;
}

/** The value to suggest for one zod issue, or undefined when there is none. */
function suggestionFor(issue: z.core.$ZodIssue): unknown {
  switch (issue.code) {
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      // Arrays and strings have a size, not a value to suggest.
      return issue.origin === "number" || issue.origin === "int" ? Number(bound) : undefined;
    }
    case "invalid_value":
      return issue.values[0];
    case "custom":
      return (issue.params as { suggested?: unknown } | undefined)?.suggested;
    default: {
      const key = issue.path.at(-1);
      const range = typeof key === "string" ? RANGES[key as keyof typeof RANGES] : undefined;
      return range?.default;
    }
  }
}

/** The issues of a failed parse, each with its suggestion. */
export function inputIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => {
    const out: InputIssue = {
      path: issue.path.map((key) => (typeof key === "symbol" ? String(key) : key)),
      message: issue.message,
    };
    const suggested = suggestionFor(issue);
    if (suggested !== undefined && suggested !== null) out.suggested = suggested;
    return out;
  });
}

/**
 * Parses `data` for `method`; throws `invalid_data` listing every issue with its path and
 * suggested value. The message names the first one.
 */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown, method: string) {
  const result = schema.safeParse(data);
  if (result.success) return result.data as z.output<S>;
  const issues = inputIssues(result.error);
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at '${first.path.join(".")}'` : "";
  const hint =
    first?.suggested !== undefined ? ` (suggested: ${JSON.stringify(first.suggested)})` : "";
  throw new SwitchyardError(
    "invalid_data",
    `Invalid data for '${method}'${where}: ${first?.message ?? "does not match"}${hint}`,
    { issues },
  );
}
