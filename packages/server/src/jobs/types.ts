/**
 * The shapes of jobs as clients, server code and HTTP workers see them: the snapshot sent in
 * every subscribe reply of `job:<id>`, and the data of each event on that channel.
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

/** The final statuses: nothing changes a job after them. */
export const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  "completed",
  "failed",
  "cancelled",
]);

/** True when `status` is final (`completed`, `failed` or `cancelled`). */
export function isFinished(status: JobStatus): boolean {
  return FINISHED_STATUSES.has(status);
}

/** Who started a job: the owner may watch it, list it and cancel it. */
export interface JobOwner {
  /** The owner's user (any session of this user is the owner). */
  userId: string | null;
  /** The owner's session (any tab of this session is the owner, anonymous ones included). */
  sessionId: string | null;
}

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
  message: string;
  /** The producer's own code (`CUDA_OUT_OF_MEMORY`), or null. */
  code: string | null;
  /** True when trying again may succeed. */
  retryable: boolean;
}

/** A producer's request that a person reviews the job's result. */
export interface JobValidation {
  reason: string;
  /** The producer's confidence in the result, 0–1, or null. */
  confidence: number | null;
  suggestedActions: string[];
}

/** One partial result. */
export interface JobChunk {
  index: number;
  data: unknown;
}

/** The partial results of a job. */
export interface JobChunks {
  /** How many chunks the job received (each index once). */
  count: number;
  /** The total the producer announced with its chunks, or null. */
  total: number | null;
  /**
   * The chunks kept for late joiners, in index order. Absent in listings. Holds fewer than
   * `count` chunks when `truncated`.
   */
  items?: JobChunk[];
  /**
   * True once the job's chunks outgrew `jobs.maxSnapshotChunkBytes`: later chunks were
   * delivered live but are not kept in the snapshot.
   */
  truncated: boolean;
}

/** The state of a job, as put in every subscribe reply of `job:<id>` (`result.snapshot`). */
export interface JobSnapshot {
  id: string;
  status: JobStatus;
  /** 0–100; never goes down. */
  percent: number;
  /** The producer's current step (`"Running 3D segmentation"`), or null. */
  step: string | null;
  /** Seconds left as of `updatedAt` (the producer's, or the hub's estimate), or null. */
  eta: number | null;
  /** What the producer attached at creation (algorithm, parameters, file name …). */
  meta: unknown;
  visibility: JobVisibility;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  startedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
  /** True once a cancel was requested (the status may still be `cancelling`). */
  cancelRequested: boolean;
  chunks: JobChunks;
  /** What `complete` gave (null before). */
  result: unknown;
  error: JobError | null;
  validation: JobValidation | null;
  /**
   * The number of the newest event this snapshot includes. Every job event except
   * `cancel_requested` carries a `seq`; a client ignores events whose `seq` is not greater.
   */
  seq: number;
}

/** A job as server code and the HTTP API see it: the snapshot and its owner. */
export interface JobInfo extends JobSnapshot {
  owner: JobOwner;
}

/** The data of each event on `job:<id>`. */
export interface JobEventData {
  started: { seq: number; startedAt: number };
  /** Throttled and conflated: at most 10 per second per job (see docs/jobs.md). */
  progress: { seq: number; percent: number; step: string | null; eta: number | null };
  /** Never dropped, never conflated; delivered in the order the producer sent them. */
  chunk: { seq: number; index: number; total: number | null; data: unknown };
  validation_required: { seq: number } & JobValidation;
  /** Carries no `seq`: it may come from any node; apply it when the job is not finished. */
  cancel_requested: { reason: string | null };
  completed: { seq: number; result: unknown };
  failed: { seq: number; error: JobError };
  cancelled: { seq: number; reason: string | null };
}

/** The events of `job:<id>`. */
export type JobEventName = keyof JobEventData;

/** Every event name of `job:<id>`. */
export const JOB_EVENTS: readonly JobEventName[] = [
  "started",
  "progress",
  "chunk",
  "validation_required",
  "cancel_requested",
  "completed",
  "failed",
  "cancelled",
];

/** What a producer learns from each report: above all, whether to stop. */
export interface JobAck {
  id: string;
  status: JobStatus;
  /** True once someone asked the job to stop: finish the current unit and call `confirmCancel`. */
  cancelRequested: boolean;
  percent: number;
}

/** The channel of a job. */
export function jobChannel(id: string): string {
  return `job:${id}`;
}

/** Options of `JobHandle.progress`. */
export interface ProgressOptions {
  /** The current step; the previous one stays when absent. */
  step?: string;
  /** Seconds left; the hub estimates it from the rate of progress when absent. */
  eta?: number;
}

/** Options of `JobHandle.chunk`. */
export interface ChunkOptions {
  /** The chunk's position in the result, from 0; each index once. */
  index: number;
  /** How many chunks the result has, when known (the same for every chunk). */
  total?: number;
}

/** Options of `JobHandle.fail`. */
export interface FailOptions {
  /** Your own code for the failure (`CUDA_OUT_OF_MEMORY`). */
  code?: string;
  /**
   * True when trying again may succeed.
   * @default false
   */
  retryable?: boolean;
}

/**
 * The producer's side of one job (`hub.jobs.create`, `run`, `attach`). Every report is
 * checked, stored and published on `job:<id>` in the order of the calls, and resolves with a
 * {@link JobAck}. Progress is throttled; everything else goes out at once.
 */
export interface JobHandle {
  readonly id: string;
  /** `job:<id>`. */
  readonly channel: string;
  /** Aborts when a permitted client (or server code) asks the job to stop. */
  readonly signal: AbortSignal;
  readonly status: JobStatus;
  readonly cancelRequested: boolean;
  /** Resolves with the job's final state once it ended (or the hub closed). */
  readonly done: Promise<JobInfo>;
  /** The job now, without chunk data. */
  info(): JobInfo;
  /** Starts a queued job (`started`); does nothing for a running one. */
  start(): Promise<JobAck>;
  /** 0–100, never lower than before (else `invalid_progress`); at most 10 events per second. */
  progress(percent: number, options?: ProgressOptions): Promise<JobAck>;
  /** A partial result: each index once (else `duplicate_chunk`), never dropped. */
  chunk(data: unknown, options: ChunkOptions): Promise<JobAck>;
  /** Asks a person to review the result; the job goes on. */
  requireValidation(request: {
    reason: string;
    confidence?: number;
    suggestedActions?: string[];
  }): Promise<JobAck>;
  /** Ends the job `completed` with its result. */
  complete(result?: unknown): Promise<JobAck>;
  /** Ends the job `failed`; the message is shown to everyone watching the job. */
  fail(error: string | Error, options?: FailOptions): Promise<JobAck>;
  /** Ends the job `cancelled`: the producer stopped after a cancel request (or on its own). */
  confirmCancel(reason?: string): Promise<JobAck>;
}
