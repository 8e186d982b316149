/**
 * The server's side of jobs: owners, the producer's handle and what it learns from each
 * report. The wire shapes (snapshot, event data, statuses) are in `@switchyard/protocol`.
 */
import type { JobSnapshot, JobStatus } from "@switchyard/protocol";

/** The final statuses: nothing changes a job after them. */
const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
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

/** A job as server code and the HTTP API see it: the snapshot and its owner. */
export interface JobInfo extends JobSnapshot {
  owner: JobOwner;
}

/**
 * The payload of the jobs feature's `completed`, `failed` and `cancelled` announcements
 * (`hub.on("feature", …)` with `feature: "jobs"`), made once per job by the node that ended it.
 */
export interface JobEnded {
  job: JobInfo;
  /** Why it was cancelled (null when no reason was given, or it did not end `cancelled`). */
  cancelReason: string | null;
}

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
