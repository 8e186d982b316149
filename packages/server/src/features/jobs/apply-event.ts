import type { JobError, JobValidation } from "@switchyard/protocol";
import { addIndex } from "./ranges.js";
import type { JobRecord } from "./store.js";
import { isFinished } from "./types.js";
import { encodedSize } from "./validate.js";

/**
 * Keeps a chunk for the snapshot while the job's kept chunks fit in `maxBytes`; once one does
 * not fit, the snapshot is truncated and no later chunk is kept. A pure function of the
 * record and the chunk, so every node that sees the same chunks decides the same.
 */
export function retainChunk(
  record: JobRecord,
  index: number,
  data: unknown,
  maxBytes: number,
): boolean {
  const { chunks } = record;
  if (chunks.truncated) return false;
  const size = encodedSize(data, maxBytes + 1);
  if (chunks.retainedBytes + size > maxBytes) {
    chunks.truncated = true;
    return false;
  }
  addIndex(chunks.retained, index);
  chunks.retainedBytes += size;
  return true;
}

/** Records a received chunk (after it was checked). */
export function receiveChunk(record: JobRecord, index: number, total: number | null): void {
  if (addIndex(record.chunks.received, index)) record.chunks.count++;
  record.chunks.total = total;
}

/**
 * Applies an event published for the job by another node (or heard back from this one) to a
 * node's copy of the record. Events whose `seq` the record already has are ignored;
 * `cancel_requested` has no `seq` and applies while the job is not finished. Returns what
 * changed: `"cancel"` for a new cancel request, `"finished"` when the job ended, `"update"`
 * for anything else, null when nothing changed.
 */
export function applyJobEvent(
  record: JobRecord,
  event: { event: string; data: unknown; timestamp: number },
  maxSnapshotChunkBytes: number,
): "cancel" | "finished" | "update" | null {
  if (isFinished(record.status)) return null;
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (event.event === "cancel_requested") {
    if (record.cancelRequested) return null;
    record.cancelRequested = true;
    record.cancelReason = typeof data.reason === "string" ? data.reason : null;
    if (record.status === "running" || record.status === "queued") record.status = "cancelling";
    return "cancel";
  }
  const seq = data.seq;
  if (typeof seq !== "number" || seq <= record.seq) return null;
  record.seq = seq;
  record.updatedAt = event.timestamp;
  switch (event.event) {
    case "started":
      if (record.status === "queued") record.status = "running";
      record.startedAt = typeof data.startedAt === "number" ? data.startedAt : event.timestamp;
      return "update";
    case "progress":
      if (typeof data.percent === "number") {
        record.percent = Math.max(record.percent, data.percent);
      }
      if (typeof data.step === "string") record.step = data.step;
      record.eta = typeof data.eta === "number" ? data.eta : null;
      return "update";
    case "chunk": {
      if (typeof data.index !== "number") return "update";
      const total = typeof data.total === "number" ? data.total : null;
      retainChunk(record, data.index, data.data, maxSnapshotChunkBytes);
      receiveChunk(record, data.index, total);
      return "update";
    }
    case "validation_required":
      record.validation = {
        reason: String(data.reason ?? ""),
        confidence: typeof data.confidence === "number" ? data.confidence : null,
        suggestedActions: Array.isArray(data.suggestedActions)
          ? (data.suggestedActions as string[])
          : [],
      } satisfies JobValidation;
      return "update";
    case "completed":
      record.status = "completed";
      record.result = data.result ?? null;
      record.percent = 100;
      record.eta = 0;
      record.finishedAt = event.timestamp;
      return "finished";
    case "failed":
      record.status = "failed";
      record.error = (data.error ?? null) as JobError | null;
      record.finishedAt = event.timestamp;
      return "finished";
    case "cancelled":
      record.status = "cancelled";
      record.cancelReason = typeof data.reason === "string" ? data.reason : record.cancelReason;
      record.finishedAt = event.timestamp;
      return "finished";
    default:
      return "update";
  }
}
