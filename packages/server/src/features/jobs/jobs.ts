import {
  isValidId,
  type JobEventData,
  type JobVisibility,
  SwitchyardError,
} from "@switchyard/protocol";
import type { CoreHub } from "../../core/hub-api.js";
import { newId } from "../../core/ids.js";
import type { Logger } from "../../core/options.js";
import { found, isOwner, type JobOwnerInput, type JobRequester, toOwner } from "./access.js";
import { JobFailure } from "./job-failure.js";
import { type JobContext, JobProducer } from "./job-handle.js";
import { type JobsOptions, type ResolvedJobsOptions, resolveJobsOptions } from "./options.js";
import { type JobRecord, JobStore, newRecord, toInfo } from "./store.js";
import { isFinished, type JobEnded, type JobHandle, type JobInfo, jobChannel } from "./types.js";
import { plain } from "./validate.js";

/** Options of {@link Jobs.create} and {@link Jobs.run}. */
export interface CreateJobOptions {
  /**
   * The job's id (1–128 of `A-Z a-z 0-9 _ . @ | : -`); its channel is `job:<id>`.
   * @default a random 16-character id
   */
  id?: string;
  /** Who started it: the owner watches, lists and cancels it. An RPC's `context.client` fits. */
  owner?: JobOwnerInput;
  /** Plain data shown with the job (algorithm, parameters, file name …). */
  meta?: unknown;
  /**
   * Who besides the owner may watch the job.
   * @default "owner"
   */
  visibility?: JobVisibility;
  /**
   * Create the job `queued`: no `started` until the producer starts it or first reports.
   * @default false
   */
  queued?: boolean;
}

/** Options of {@link Jobs.cancel}. */
export interface CancelJobOptions {
  /** The client asking: only the job's owner may cancel (else `forbidden`). Absent: server code. */
  by?: JobRequester;
  /** Why, shown with `cancel_requested` and `cancelled`. */
  reason?: string;
}

/** Which jobs {@link Jobs.list} lists. */
export type JobListQuery = { userId: string } | { sessionId: string };

/**
 * Long-running tasks with progress, ETA, partial results and cancellation, each on its
 * channel `job:<id>` (`hub.jobs`). State lives in the broker's key-value store, so every node
 * answers for every job. See docs/jobs.md.
 */
export interface Jobs {
  /**
   * Runs `fn` as a job: its return value completes the job, a `JobFailure` (or
   * `SwitchyardError`) it throws fails it, and anything it throws after a cancel request ends
   * it `cancelled`. Resolves with the handle once `started` is published (`handle.done`
   * resolves at the end).
   *
   * @example
   * hub.rpc("analyse", async (input, { client }) => {
   *   const job = await hub.jobs.run(async (job) => {
   *     for (let slice = 0; slice < 64; slice++) {
   *       job.signal.throwIfAborted();
   *       await job.chunk(await analyse(slice), { index: slice, total: 64 });
   *       await job.progress(((slice + 1) / 64) * 100, { step: "Segmenting" });
   *     }
   *     return { objects: 42 };
   *   }, { owner: client, meta: { file: input.file } });
   *   return { jobId: job.id };
   * });
   */
  run<T>(fn: (job: JobHandle) => T | Promise<T>, options?: CreateJobOptions): Promise<JobHandle>;
  /** Creates a job and returns its handle; the producer reports and ends it. */
  create(options?: CreateJobOptions): Promise<JobHandle>;
  /** A handle on a job created elsewhere (another node, the HTTP API), to report for it. */
  attach(id: string): Promise<JobHandle>;
  /** The job with its kept chunks; `job_not_found` when it is not kept. */
  get(id: string): Promise<JobInfo>;
  /** The kept jobs of a user or a session, newest first (without chunk data). */
  list(query: JobListQuery): Promise<JobInfo[]>;
  /**
   * Asks a job to stop (`cancel_requested`; the producer's signal aborts). `by` limits it to
   * the owner. A queued job is cancelled at once; a finished one is `job_finished`.
   */
  cancel(id: string, options?: CancelJobOptions): Promise<JobInfo>;
}

const SWEEP_MS = 60_000;

/** The jobs of one hub node (`hub.jobs`). */
export class HubJobs implements Jobs {
  private readonly options: ResolvedJobsOptions;
  private readonly store: JobStore;
  private readonly context: JobContext;
  /** Handles of jobs reported through this node. */
  private readonly handles = new Map<string, JobProducer>();
  private readonly attaching = new Map<string, Promise<JobProducer>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly hub: CoreHub,
    options: JobsOptions | undefined,
    private readonly logger: Logger,
    private readonly ended: (event: JobEnded) => void = () => {},
  ) {
    this.options = resolveJobsOptions(options);
    this.store = new JobStore(hub.broker);
    this.context = {
      hub,
      store: this.store,
      options: this.options,
      logger,
      release: (handle) => {
        if (this.handles.get(handle.id) === handle) this.handles.delete(handle.id);
      },
      ended,
    };
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.options.activeTtl));
    this.sweeper.unref();
  }

  async create(options: CreateJobOptions = {}): Promise<JobProducer> {
    this.assertOpen();
    const id = options.id ?? newId();
    if (!isValidId(id)) {
      throw new SwitchyardError(
        "invalid_data",
        "'id' must be 1-128 characters of A-Z a-z 0-9 _ . @ | : -",
        { field: "id" },
      );
    }
    const visibility = options.visibility ?? "owner";
    if (!["owner", "authenticated", "anyone"].includes(visibility)) {
      throw new SwitchyardError(
        "invalid_data",
        "'visibility' must be owner, authenticated or anyone",
        { field: "visibility" },
      );
    }
    const owner = toOwner(options.owner);
    const meta = plain(options.meta ?? null, "meta");
    const existing = await this.store.read(id);
    if (existing !== undefined || this.handles.has(id)) {
      throw new SwitchyardError("job_exists", `A job '${id}' already exists`, { id });
    }
    const record = newRecord({
      id,
      owner,
      meta,
      visibility,
      queued: options.queued === true,
      now: Date.now(),
    });
    const handle = new JobProducer(this.context, record, false);
    this.handles.set(id, handle);
    try {
      await handle.listen();
      await handle.announce();
    } catch (error) {
      handle.dispose("The job could not be created");
      throw error;
    }
    return handle;
  }

  async run<T>(
    fn: (job: JobHandle) => T | Promise<T>,
    options: CreateJobOptions = {},
  ): Promise<JobHandle> {
    const handle = await this.create({ ...options, queued: false });
    void this.execute(handle, fn);
    return handle;
  }

  private async execute<T>(handle: JobProducer, fn: (job: JobHandle) => T | Promise<T>) {
    try {
      const result = await fn(handle);
      if (!isFinished(handle.status)) await handle.complete(result);
    } catch (error) {
      if (isFinished(handle.status)) {
        if (!(error instanceof SwitchyardError && error.code === "job_finished")) {
          this.logger.warn(
            { err: error, job: handle.id },
            "job function threw after the job ended",
          );
        }
        return;
      }
      try {
        if (handle.signal.aborted) {
          await handle.confirmCancel();
        } else if (error instanceof JobFailure || error instanceof SwitchyardError) {
          await handle.fail(error);
        } else {
          this.logger.error({ err: error, job: handle.id }, "job function failed");
          await handle.fail("The job failed unexpectedly", { code: "internal_error" });
        }
      } catch (failure) {
        this.logger.error({ err: failure, job: handle.id }, "ending a failed job failed");
      }
    }
  }

  attach(id: string): Promise<JobProducer> {
    this.assertOpen();
    const local = this.handles.get(id);
    if (local !== undefined) return Promise.resolve(local);
    let pending = this.attaching.get(id);
    if (pending === undefined) {
      pending = this.load(id).finally(() => this.attaching.delete(id));
      this.attaching.set(id, pending);
    }
    return pending;
  }

  private async load(id: string): Promise<JobProducer> {
    const record = found(await this.store.read(id), id);
    if (isFinished(record.status)) throw finishedError(record);
    const handle = new JobProducer(this.context, record, true);
    this.handles.set(id, handle);
    await handle.listen();
    return handle;
  }

  async get(id: string): Promise<JobInfo> {
    return found(await this.store.info(id), id);
  }

  async list(query: JobListQuery): Promise<JobInfo[]> {
    const id = "userId" in query ? query.userId : query.sessionId;
    if (!isValidId(id)) {
      throw new SwitchyardError("invalid_data", "The user or session id is not valid", {
        field: "userId" in query ? "userId" : "sessionId",
      });
    }
    const records = await this.store.list(query);
    return records.map((record) => toInfo(record));
  }

  async cancel(id: string, options: CancelJobOptions = {}): Promise<JobInfo> {
    this.assertOpen();
    const reason = options.reason ?? null;
    if (reason !== null && (typeof reason !== "string" || reason.length > 500)) {
      throw new SwitchyardError("invalid_data", "'reason' must be a string of at most 500", {
        field: "reason",
      });
    }
    const record = found(await this.store.read(id), id);
    if (options.by && !isOwner(record.owner, options.by)) {
      throw new SwitchyardError("forbidden", `Only the owner of job '${id}' may cancel it`, { id });
    }
    const local = this.handles.get(id);
    if (local !== undefined) {
      await local.requestCancel(reason);
      return local.info();
    }
    if (isFinished(record.status)) throw finishedError(record);
    if (record.cancelRequested) return toInfo(record);
    if (record.status === "queued") {
      await this.finishCancelled(record, reason);
      return toInfo(record);
    }
    Object.assign(record, {
      status: "cancelling",
      cancelRequested: true,
      cancelReason: reason,
      updatedAt: Date.now(),
    });
    await this.store.write(record, this.options.activeTtl);
    const data: JobEventData["cancel_requested"] = { reason };
    await this.hub.publish(jobChannel(id), "cancel_requested", data);
    this.afterGrace(id);
    return toInfo(record);
  }

  /** Ends a job no handle on this node reports for: `cancelled`, kept for `retention`. */
  private async finishCancelled(record: JobRecord, reason: string | null): Promise<void> {
    const now = Date.now();
    Object.assign(record, {
      status: "cancelled",
      cancelReason: reason,
      finishedAt: now,
      updatedAt: now,
      seq: record.seq + 1,
    });
    await this.store.write(record, this.options.retention);
    await this.store.refreshChunks(record, this.options.retention);
    const data: JobEventData["cancelled"] = { seq: record.seq, reason };
    await this.hub.publish(jobChannel(record.id), "cancelled", data);
    this.ended({ job: toInfo(record), cancelReason: reason });
  }

  /** After `cancelGrace`, a job still `cancelling` is marked `cancelled` by the hub. */
  private afterGrace(id: string): void {
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      try {
        const local = this.handles.get(id);
        if (local !== undefined) {
          if (!isFinished(local.status)) await local.confirmCancel();
          return;
        }
        const record = await this.store.read(id);
        if (record?.status === "cancelling")
          await this.finishCancelled(record, record.cancelReason);
      } catch (error) {
        this.logger.error({ err: error, job: id }, "cancelling a job after its grace failed");
      }
    }, this.options.cancelGrace);
    timer.unref();
    this.timers.add(timer);
  }

  /** Lets go of handles taken for workers that went quiet (their jobs expire in the store). */
  private sweep(): void {
    const idleSince = Date.now() - this.options.activeTtl;
    for (const handle of this.handles.values()) {
      if (handle.attached && handle.lastActivity < idleSince) handle.dispose("idle");
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SwitchyardError("server_shutting_down");
  }

  /** Jobs this node reports for (a producer, or a worker's reports through this node). */
  get producing(): number {
    return this.handles.size;
  }

  /** Stops every timer and lets go of every handle (their signals abort). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const handle of [...this.handles.values()]) handle.dispose("The hub is closing");
  }
}

function finishedError(record: JobRecord): SwitchyardError {
  return new SwitchyardError("job_finished", `Job '${record.id}' is already ${record.status}`, {
    id: record.id,
    status: record.status,
  });
}
