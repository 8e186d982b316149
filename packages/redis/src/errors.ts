import { SwitchyardError } from "@switchyard/protocol";

/** A Redis failure as the hub sees it: a `SwitchyardError`, the cause in its message. */
function redisFailure(error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SwitchyardError("internal_error", `Redis command failed: ${reason}`);
}

/** Runs `work`, turning any failure into a `SwitchyardError`. */
export async function viaRedis<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw redisFailure(error);
  }
}
