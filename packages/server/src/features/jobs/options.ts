/** Options of the jobs feature (`createHub({ jobs: { … } })`). */
export interface JobsOptions {
  /**
   * Milliseconds a finished job's snapshot is kept; after that its id answers `job_not_found`.
   * @default 600_000 (10 minutes)
   */
  retention?: number;
  /**
   * Milliseconds an unfinished job is kept without any update (progress, chunk, …). A job
   * whose producer died is forgotten after this long.
   * @default 3_600_000 (1 hour)
   */
  activeTtl?: number;
  /**
   * Least milliseconds between two progress events of one job (100 = at most 10 per second).
   * @default 100
   */
  progressInterval?: number;
  /**
   * Milliseconds a producer has to stop after a cancel request; then the hub marks the job
   * `cancelled` itself.
   * @default 30_000
   */
  cancelGrace?: number;
  /**
   * Largest chunk in bytes (its encoded size); larger ones get `message_too_large`. Keep it
   * well under the hub's `limits.queueBytes`, or a subscriber could not take one chunk.
   * @default 262_144 (256 KiB)
   */
  maxChunkBytes?: number;
  /**
   * Chunk bytes a job keeps for its snapshot (late joiners get them in the subscribe reply).
   * Chunks past it are still delivered live; the snapshot then says `chunks.truncated`.
   * @default 524_288 (512 KiB)
   */
  maxSnapshotChunkBytes?: number;
}

/** {@link JobsOptions} with every default filled in. */
export type ResolvedJobsOptions = Required<JobsOptions>;

/** The defaults of {@link JobsOptions}. */
export const DEFAULT_JOBS_OPTIONS: ResolvedJobsOptions = {
  retention: 600_000,
  activeTtl: 3_600_000,
  progressInterval: 100,
  cancelGrace: 30_000,
  maxChunkBytes: 262_144,
  maxSnapshotChunkBytes: 524_288,
};

/** Most chunks one job may have. */
export const MAX_CHUNKS = 100_000;
/** Longest step name, in characters. */
export const MAX_STEP_LENGTH = 200;

/** Fills in the defaults and checks the numbers. */
export function resolveJobsOptions(options: JobsOptions = {}): ResolvedJobsOptions {
  const resolved: ResolvedJobsOptions = { ...DEFAULT_JOBS_OPTIONS };
  for (const key of Object.keys(DEFAULT_JOBS_OPTIONS) as (keyof ResolvedJobsOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`jobs.${key} must be a positive number of milliseconds or bytes`);
    }
    resolved[key] = value;
  }
  return resolved;
}
