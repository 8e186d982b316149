import { SwitchyardError } from "@switchyard/protocol";

/**
 * The data of an RPC as an object of known fields, for features' RPC handlers: anything but an
 * object (or nothing), or a field outside `known`, is refused with `invalid_data` naming the
 * field (`details.field`; "" for the data itself).
 */
export function rpcFields(data: unknown, known: readonly string[]): Record<string, unknown> {
  const body = data ?? {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchyardError("invalid_data", "The RPC data must be an object", { field: "" });
  }
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) {
      throw new SwitchyardError("invalid_data", `Unknown field '${key}'`, { field: key });
    }
  }
  return body as Record<string, unknown>;
}
