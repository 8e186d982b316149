/**
 * The shapes of jobs on the wire, as the hub sends them (docs/jobs.md): the snapshot in every
 * subscribe reply of `job:<id>` and in `job.get` / `job.list` / `job.cancel` replies, and the
 * data of each event on that channel.
 */

/**
 * Where a job is in its life: `queued` → `running` → `completed` | `failed`, or
 * `cancelling` → `cancelled` after a cancel request. `completed`, `failed` and `cancelled`
 * are final.
 */
export type JobStatus = "queued" | "running" | "cancelling" | "completed" | "failed" | "cancelled";

/** Why a job failed. */
export interface JobError {
  /** For people; shown to everyone who may watch the job. */
  readonly message: string;
  /** The producer's own code (`CUDA_OUT_OF_MEMORY`), or null. */
  readonly code: string | null;
  /** True when trying again may succeed. */
  readonly retryable: boolean;
}

/** The producer's request that a person reviews the job's result (the job goes on). */
export interface JobValidation {
  readonly reason: string;
  /** The producer's confidence in the result, 0–1, or null. */
  readonly confidence: number | null;
  readonly suggestedActions: readonly string[];
}

/** One partial result. */
export interface JobChunk {
  /** The chunk's position in the result, from 0. */
  readonly index: number;
  readonly data: unknown;
}

/** A job as the hub describes it (`result.snapshot` of a subscribe reply, `job.*` RPCs). */
export interface JobSnapshot {
  readonly id: string;
  readonly status: JobStatus;
  /** 0–100; never goes down. */
  readonly percent: number;
  /** The producer's current step, or null. */
  readonly step: string | null;
  /** Seconds left as of `updatedAt`, or null. */
  readonly eta: number | null;
  /** What the producer attached at creation (algorithm, parameters …). */
  readonly meta: unknown;
  readonly visibility: "owner" | "authenticated" | "anyone";
  /** Milliseconds since the Unix epoch (hub clock), like every time below. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  readonly cancelRequested: boolean;
  readonly chunks: {
    /** How many chunks the job received. */
    readonly count: number;
    /** The total the producer announced, or null. */
    readonly total: number | null;
    /** The chunks kept for late joiners, in index order (absent in `job.list`). */
    readonly items?: readonly JobChunk[];
    /** True once the hub stopped keeping chunks for late joiners (they were too large). */
    readonly truncated: boolean;
  };
  readonly result: unknown;
  readonly error: JobError | null;
  readonly validation: JobValidation | null;
  /** The number of the newest event the snapshot includes. */
  readonly seq: number;
}

/** The data of each event on `job:<id>`. */
export interface JobEventData {
  started: { seq: number; startedAt: number };
  progress: { seq: number; percent: number; step: string | null; eta: number | null };
  chunk: { seq: number; index: number; total: number | null; data: unknown };
  validation_required: { seq: number } & JobValidation;
  /** Carries no `seq`. */
  cancel_requested: { reason: string | null };
  completed: { seq: number; result: unknown };
  failed: { seq: number; error: JobError };
  cancelled: { seq: number; reason: string | null };
}

/** The reply of the `job.list` RPC. */
export interface JobListResult {
  /** The caller's jobs (its user's and its session's), newest first, without chunk data. */
  readonly jobs: readonly JobSnapshot[];
}
