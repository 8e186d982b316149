import type { StandardSchemaV1 } from "@standard-schema/spec";
import { SwitchyardError } from "@switchyard/protocol";

/** One schema problem as sent to clients in `details.issues`. */
export interface Issue {
  message: string;
  path?: (string | number)[];
}

/**
 * Validates `value` against a Standard Schema (zod, valibot, arktype, ...). Returns the parsed
 * value or throws `invalid_data` whose details list every issue with its path.
 */
export async function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  what: string,
): Promise<StandardSchemaV1.InferOutput<S>> {
  let result = schema["~standard"].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    const issues: Issue[] = result.issues.map((issue) => {
      const out: Issue = { message: issue.message };
      if (issue.path?.length) {
        out.path = issue.path.map((segment) =>
          typeof segment === "object"
            ? (segment.key as string | number)
            : (segment as string | number),
        );
      }
      return out;
    });
    const first = issues[0];
    const where = first?.path ? ` at '${first.path.join(".")}'` : "";
    throw new SwitchyardError(
      "invalid_data",
      `Invalid ${what}${where}: ${first?.message ?? "does not match the schema"}`,
      { issues },
    );
  }
  return result.value as StandardSchemaV1.InferOutput<S>;
}
