/**
 * The wire shapes of jobs (docs/jobs.md), shared by the hub and its clients: the snapshot in
 * every subscribe reply of `job:<id>` and in the `job.get`, `job.list` and `job.cancel`
 * replies, and the data of each event on that channel. Types only: nothing here runs.
 */

/**
 * Where a job is in its life.
 *
 * ```
 * queued ──start──> running ──complete──> completed
 *   │                 │  └────fail──────> failed
 *   │                 └─cancel─> cancelling ──producer stops (or grace ends)──> cancelled
 *   └──────cancel─────────────────────────────────────────────────────────────> cancelled
 * ```
 * `completed`, `failed` and `cancelled` are final.
 */
export type JobStatus = "queued" | "running" | "cancelling" | "completed" | "failed" | "cancelled";

/**
 * Who besides the owner may subscribe to `job:<id>` and read it with `job.get`:
 * - `owner`: nobody else (clients whose token `channels` claim names the channel still may);
 * - `authenticated`: any client with a verified token;
 * - `anyone`: any client, anonymous ones included.
 */
export type JobVisibility = "owner" | "authenticated" | "anyone";

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

/** The partial results of a job, as the snapshot describes them. */
export interface JobChunks {
  /** How many chunks the job received (each index once). */
  readonly count: number;
  /** The total the producer announced with its chunks, or null. */
  readonly total: number | null;
  /**
   * The chunks kept for late joiners, in index order. Absent in `job.list`. Holds fewer than
   * `count` chunks when `truncated`.
   */
  readonly items?: readonly JobChunk[];
  /**
   * True once the job's chunks outgrew the hub's `jobs.maxSnapshotChunkBytes`: later chunks
   * were delivered live but are not kept for late joiners.
   */
  readonly truncated: boolean;
}

/**
 * A job as the hub describes it: `result.snapshot` of every subscribe reply of `job:<id>`,
 * and the reply of `job.get` and `job.cancel`.
 */
export interface JobSnapshot {
  readonly id: string;
  readonly status: JobStatus;
  /** 0–100; never goes down. */
  readonly percent: number;
  /** The producer's current step (`"Running 3D segmentation"`), or null. */
  readonly step: string | null;
  /** Seconds left as of `updatedAt` (the producer's, or the hub's estimate), or null. */
  readonly eta: number | null;
  /** What the producer attached at creation (algorithm, parameters, file name …). */
  readonly meta: unknown;
  readonly visibility: JobVisibility;
  /** Milliseconds since the Unix epoch (hub clock), like every time below. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  /** True once a cancel was requested (the status may still be `cancelling`). */
  readonly cancelRequested: boolean;
  readonly chunks: JobChunks;
  /** What the job completed with (null before). */
  readonly result: unknown;
  readonly error: JobError | null;
  readonly validation: JobValidation | null;
  /**
   * The number of the newest event this snapshot includes. Every job event except
   * `cancel_requested` carries a `seq`; a client ignores events whose `seq` is not greater.
   */
  readonly seq: number;
}

/** The data of each event on `job:<id>`. */
export interface JobEventData {
  started: { readonly seq: number; readonly startedAt: number };
  /** Throttled and conflated: at most 10 per second per job (see docs/jobs.md). */
  progress: {
    readonly seq: number;
    readonly percent: number;
    readonly step: string | null;
    readonly eta: number | null;
  };
  /** Never dropped, never conflated; delivered in the order the producer sent them. */
  chunk: {
    readonly seq: number;
    readonly index: number;
    readonly total: number | null;
    readonly data: unknown;
  };
  validation_required: { readonly seq: number } & JobValidation;
  /** Carries no `seq`: it may come from any node; apply it when the job is not finished. */
  cancel_requested: { readonly reason: string | null };
  completed: { readonly seq: number; readonly result: unknown };
  failed: { readonly seq: number; readonly error: JobError };
  cancelled: { readonly seq: number; readonly reason: string | null };
}

/** The events of `job:<id>`. */
export type JobEventName = keyof JobEventData;

/** The reply of the `job.list` RPC. */
export interface JobListResult {
  /** The caller's jobs (its user's and its session's), newest first, without chunk data. */
  readonly jobs: readonly JobSnapshot[];
}
