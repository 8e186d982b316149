import { type JobValidation, SwitchyardError } from "@switchyard/protocol";
import { checkData } from "../../core/event-data.js";
import { MAX_CHUNKS, MAX_STEP_LENGTH } from "./options.js";
import { hasIndex, type IndexRanges } from "./ranges.js";

/**
 * About how many bytes `value` takes once encoded (JSON or MessagePack): bytes of binary data,
 * UTF-8 bytes of strings, 8 per number, plus keys. Stops counting past `limit`.
 */
export function encodedSize(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const item = stack.pop();
    if (typeof item === "string") size += Buffer.byteLength(item) + 2;
    else if (ArrayBuffer.isView(item)) size += item.byteLength + 5;
    else if (item instanceof ArrayBuffer) size += item.byteLength + 5;
    else if (Array.isArray(item)) {
      size += 2;
      for (const element of item) stack.push(element);
    } else if (typeof item === "object" && item !== null) {
      size += 2;
      for (const [key, element] of Object.entries(item)) {
        size += Buffer.byteLength(key) + 3;
        stack.push(element);
      }
    } else size += 8;
  }
  return size;
}

/** Checks a progress report against the job's current percent; throws `invalid_progress`. */
export function checkProgress(percent: unknown, current: number, eta?: unknown): number {
  if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new SwitchyardError(
      "invalid_progress",
      `Progress must be a number from 0 to 100 (got ${String(percent)})`,
      { field: "percent", percent, current },
    );
  }
  if (percent < current) {
    throw new SwitchyardError(
      "invalid_progress",
      `Progress never goes backwards: the job is at ${current} %, got ${percent} %`,
      { field: "percent", percent, current },
    );
  }
  if (eta !== undefined && eta !== null) {
    if (typeof eta !== "number" || !Number.isFinite(eta) || eta < 0) {
      throw new SwitchyardError(
        "invalid_progress",
        `'eta' must be a number of seconds ≥ 0 (got ${String(eta)})`,
        { field: "eta", percent, current },
      );
    }
  }
  return percent;
}

/** Checks a step name; throws `invalid_progress`. */
export function checkStep(step: unknown): string | undefined {
  if (step === undefined || step === null) return undefined;
  if (typeof step !== "string" || step.length > MAX_STEP_LENGTH) {
    throw new SwitchyardError(
      "invalid_progress",
      `'step' must be a string of at most ${MAX_STEP_LENGTH} characters`,
      { field: "step" },
    );
  }
  return step;
}

/** What a job knows of its chunks, for {@link checkChunk}. */
export interface ChunkState {
  received: IndexRanges;
  count: number;
  total: number | null;
}

/**
 * Checks a chunk's index and total against what the job received; throws `invalid_chunk`
 * (bad index or total), `duplicate_chunk` (index seen before) or `message_too_large`.
 * Returns the total the job has after this chunk.
 */
export function checkChunk(
  state: ChunkState,
  chunk: { index: unknown; total?: unknown; size: number; maxBytes: number },
): number | null {
  const { index } = chunk;
  const given = chunk.total ?? state.total;
  if (given !== null && (!Number.isSafeInteger(given) || (given as number) < 1)) {
    throw invalidChunk("'total' must be a positive integer", "out_of_range", index, given);
  }
  const total = given as number | null;
  const highest = state.received.at(-1)?.[1];
  const contradicts =
    state.total === null && total !== null && highest !== undefined && highest >= total;
  if ((state.total !== null && total !== state.total) || contradicts) {
    throw invalidChunk(
      `The job's chunks have total ${state.total ?? `> ${highest}`}, this one says ${String(total)}`,
      "total_changed",
      index,
      total,
    );
  }
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw invalidChunk("'index' must be an integer ≥ 0", "out_of_range", index, total);
  }
  const limit = Math.min(total ?? MAX_CHUNKS, MAX_CHUNKS);
  if ((index as number) >= limit) {
    throw invalidChunk(
      `'index' ${String(index)} is out of range (0–${limit - 1})`,
      total === null ? "too_many" : "out_of_range",
      index,
      total,
    );
  }
  if (hasIndex(state.received, index as number)) {
    throw new SwitchyardError("duplicate_chunk", `Chunk ${String(index)} was already received`, {
      index,
    });
  }
  if (state.count >= MAX_CHUNKS) {
    throw invalidChunk(`A job has at most ${MAX_CHUNKS} chunks`, "too_many", index, total);
  }
  if (chunk.size > chunk.maxBytes) {
    throw new SwitchyardError(
      "message_too_large",
      `The chunk has about ${chunk.size} bytes; the limit is ${chunk.maxBytes}`,
      { maxBytes: chunk.maxBytes },
    );
  }
  return total;
}

function invalidChunk(message: string, reason: string, index: unknown, total: unknown) {
  return new SwitchyardError("invalid_chunk", message, { reason, index, total });
}

/** Checks a validation request; throws `invalid_data` naming the bad field. */
export function checkValidation(request: {
  reason?: unknown;
  confidence?: unknown;
  suggestedActions?: unknown;
}): JobValidation {
  const { reason, confidence, suggestedActions } = request;
  if (typeof reason !== "string" || reason.length === 0) {
    throw invalidData("reason", "must be a non-empty string");
  }
  if (
    confidence !== undefined &&
    confidence !== null &&
    (typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1))
  ) {
    throw invalidData("confidence", "must be a number from 0 to 1");
  }
  if (
    suggestedActions !== undefined &&
    (!Array.isArray(suggestedActions) || suggestedActions.some((a) => typeof a !== "string"))
  ) {
    throw invalidData("suggestedActions", "must be an array of strings");
  }
  return {
    reason,
    confidence: (confidence as number | null | undefined) ?? null,
    suggestedActions: [...((suggestedActions as string[] | undefined) ?? [])],
  };
}

function invalidData(field: string, reason: string): SwitchyardError {
  return new SwitchyardError("invalid_data", `Invalid '${field}': ${reason}`, { field });
}

/**
 * Checks that `value` is data the store, both codecs and the job's events can carry (JSON
 * values, binary as a Uint8Array: see `checkData`); throws `invalid_data` naming the path.
 */
export function plain<T>(value: T, field: string): T {
  checkData(value, field);
  return value;
}
