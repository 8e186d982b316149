import {
  type JobEventData,
  type JobEventName,
  type JobStatus,
  type JobValidation,
  SwitchyardError,
} from "@switchyard/protocol";
import type { BrokerEvent } from "../../broker/broker.js";
import type { CoreHub } from "../../core/hub-api.js";
import type { Logger } from "../../core/options.js";
import { applyJobEvent, receiveChunk, retainChunk } from "./apply-event.js";
import { EtaEstimator } from "./eta.js";
import { JobFailure } from "./job-failure.js";
import type { ResolvedJobsOptions } from "./options.js";
import { ProgressThrottle } from "./progress-throttle.js";
import { type JobRecord, type JobStore, toInfo } from "./store.js";
import {
  type ChunkOptions,
  type FailOptions,
  isFinished,
  type JobAck,
  type JobEnded,
  type JobHandle,
  type JobInfo,
  jobChannel,
  type ProgressOptions,
} from "./types.js";
import {
  checkChunk,
  checkProgress,
  checkStep,
  checkValidation,
  encodedSize,
  plain,
} from "./validate.js";

/** What a handle needs from the jobs feature. */
export interface JobContext {
  readonly hub: Pick<CoreHub, "publish" | "listen">;
  readonly store: JobStore;
  readonly options: ResolvedJobsOptions;
  readonly logger: Logger;
  /** Called once when the handle is done with: the job finished or the hub closes. */
  release(handle: JobProducer): void;
  /** Called once the final event of a job this node ended is published. */
  ended(event: JobEnded): void;
}

interface ProgressValue {
  percent: number;
  step: string | null;
  eta: number | null;
}

type EventInput<E extends JobEventName> = Omit<JobEventData[E], "seq">;

/**
 * The {@link JobHandle} of a job reported through this node: its copy of the job's record,
 * kept current by the job's events from every node, its throttle and its ETA estimate.
 */
export class JobProducer implements JobHandle {
  readonly id: string;
  readonly channel: string;
  /** Resolves with the job's final state once it finished (or the hub closed). */
  readonly done: Promise<JobInfo>;
  /** Milliseconds since the epoch of the last report through this handle. */
  lastActivity = Date.now();

  private readonly record: JobRecord;
  private readonly controller = new AbortController();
  private readonly throttle: ProgressThrottle<ProgressValue>;
  private readonly estimator = new EtaEstimator();
  /** The newest percent and step accepted (progress may still wait in the throttle). */
  private accepted: { percent: number; step: string | null };
  private chain: Promise<void> = Promise.resolve();
  private stopListening: (() => void) | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private maintainedAt = Date.now();
  private released = false;
  private resolveDone!: (info: JobInfo) => void;

  constructor(
    private readonly context: JobContext,
    record: JobRecord,
    /** True for a handle taken on a job created elsewhere (another node, the HTTP API). */
    readonly attached: boolean,
  ) {
    this.record = record;
    this.id = record.id;
    this.channel = jobChannel(record.id);
    this.accepted = { percent: record.percent, step: record.step };
    if (record.startedAt !== null) this.estimator.update(record.percent, record.startedAt);
    this.throttle = new ProgressThrottle({
      interval: context.options.progressInterval,
      emit: this.emitProgress,
    });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (record.cancelRequested) this.controller.abort(abortReason(record.cancelReason));
  }

  /** Hears the job's events from every node: cancel requests, and reports sent elsewhere. */
  async listen(): Promise<void> {
    const stop = await this.context.hub.listen(this.channel, this.onEvent);
    if (this.released) stop();
    else this.stopListening = stop;
  }

  /** Writes a new job to the store, lists it under its owner, announces it (`started`). */
  async announce(): Promise<void> {
    const { store, options, hub } = this.context;
    const copy = structuredClone(this.record);
    await this.serial(async () => {
      await store.write(copy, options.activeTtl);
      await store.index(copy, options.activeTtl + options.retention);
      if (copy.status !== "running") return;
      const started: JobEventData["started"] = { seq: copy.seq, startedAt: copy.startedAt ?? 0 };
      await hub.publish(this.channel, "started", started);
    });
  }

  /** Aborts when a permitted client (or server code) asks the job to stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get status(): JobStatus {
    return this.record.status;
  }

  get cancelRequested(): boolean {
    return this.record.cancelRequested;
  }

  /** The job now, without its chunks (`hub.jobs.get` reads them too). */
  info(): JobInfo {
    return toInfo(structuredClone(this.record));
  }

  /** Starts a queued job (`started`); does nothing for a running one. */
  async start(): Promise<JobAck> {
    this.assertActive();
    this.autoStart();
    await this.chain;
    return this.ack();
  }

  /**
   * Reports progress: `percent` from 0 to 100, never lower than before (else
   * `invalid_progress`). At most 10 progress events per second go out (the newest value of
   * each step wins); the hub fills in the ETA when `eta` is absent.
   */
  async progress(percent: number, options: ProgressOptions = {}): Promise<JobAck> {
    this.assertActive();
    const step = checkStep(options.step) ?? this.accepted.step;
    checkProgress(percent, this.accepted.percent, options.eta);
    this.touch();
    this.autoStart();
    const estimate = this.estimator.update(percent, Date.now());
    this.accepted = { percent, step };
    this.throttle.offer({ percent, step, eta: options.eta ?? estimate });
    await this.chain;
    return this.ack();
  }

  /**
   * Publishes a partial result. Each `index` once (else `duplicate_chunk`), below `total`
   * when given (else `invalid_chunk`); never dropped, delivered in the order of the calls.
   */
  async chunk(data: unknown, options: ChunkOptions): Promise<JobAck> {
    this.assertActive();
    // Before anything is stored: a chunk the `chunk` event cannot carry is no chunk at all.
    plain(data, "data");
    const { maxChunkBytes, maxSnapshotChunkBytes } = this.context.options;
    const size = encodedSize(data, maxChunkBytes + 1);
    const total = checkChunk(this.record.chunks, {
      index: options?.index,
      total: options?.total,
      size,
      maxBytes: maxChunkBytes,
    });
    const { index } = options;
    this.touch();
    this.autoStart();
    const kept = retainChunk(this.record, index, data, maxSnapshotChunkBytes);
    receiveChunk(this.record, index, total);
    await this.emit("chunk", { index, total, data }, { chunk: kept ? { index, data } : undefined });
    return this.ack();
  }

  /** Asks a person to review the result (low confidence …); the job goes on. */
  async requireValidation(request: {
    reason: string;
    confidence?: number;
    suggestedActions?: string[];
  }): Promise<JobAck> {
    this.assertActive();
    const validation: JobValidation = checkValidation(request);
    this.touch();
    this.autoStart();
    this.record.validation = validation;
    await this.emit("validation_required", validation);
    return this.ack();
  }

  /** Completes the job with its result (`completed`); anything later is `job_finished`. */
  async complete(result?: unknown): Promise<JobAck> {
    this.assertActive();
    const value = plain(result === undefined ? null : result, "result");
    this.autoStart();
    this.throttle.flush();
    Object.assign(this.record, {
      status: "completed",
      result: value,
      percent: 100,
      eta: 0,
      finishedAt: Date.now(),
    });
    return this.end(this.emit("completed", { result: value }, { final: true }));
  }

  /** Fails the job (`failed`): `error`'s message is shown to everyone who watches the job. */
  async fail(error: string | Error, options: FailOptions = {}): Promise<JobAck> {
    this.assertActive();
    const message = typeof error === "string" ? error : (error?.message ?? String(error));
    const own = error instanceof JobFailure ? error : undefined;
    const code =
      options.code ?? own?.code ?? (error instanceof SwitchyardError ? error.code : null);
    const retryable = options.retryable ?? own?.retryable ?? false;
    const failure = { message, code, retryable };
    this.autoStart();
    this.throttle.flush();
    Object.assign(this.record, { status: "failed", error: failure, finishedAt: Date.now() });
    return this.end(this.emit("failed", { error: failure }, { final: true }));
  }

  /** Ends the job as `cancelled`: the producer stopped after a cancel request (or on its own). */
  async confirmCancel(reason?: string): Promise<JobAck> {
    this.assertActive();
    this.throttle.flush();
    const why = reason ?? this.record.cancelReason;
    Object.assign(this.record, { status: "cancelled", cancelReason: why, finishedAt: Date.now() });
    return this.end(this.emit("cancelled", { reason: why }, { final: true }));
  }

  /**
   * Asks the job to stop: `cancel_requested`, the signal aborts, and the producer has
   * `cancelGrace` ms to end the job before the hub marks it `cancelled`. A queued job is
   * cancelled at once. Use `hub.jobs.cancel` from server code.
   */
  async requestCancel(reason: string | null): Promise<JobAck> {
    this.assertActive();
    if (this.record.status === "queued") return this.confirmCancel(reason ?? undefined);
    if (this.record.cancelRequested) return this.ack();
    Object.assign(this.record, {
      status: "cancelling",
      cancelRequested: true,
      cancelReason: reason,
    });
    this.controller.abort(abortReason(reason));
    this.graceTimer = setTimeout(() => {
      if (isFinished(this.record.status)) return;
      this.confirmCancel().catch((error: unknown) => this.report(error, "cancel after grace"));
    }, this.context.options.cancelGrace);
    this.graceTimer.unref();
    await this.emit("cancel_requested", { reason });
    return this.ack();
  }

  /** Stops timers and listening without ending the job (the hub is closing). */
  dispose(reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(abortReason(reason));
    this.releaseHandle();
  }

  private ack(): JobAck {
    const { id, status, cancelRequested } = this.record;
    const percent = Math.max(this.accepted.percent, this.record.percent);
    return { id, status, cancelRequested, percent };
  }

  private assertActive(): void {
    if (isFinished(this.record.status)) {
      throw new SwitchyardError("job_finished", `Job '${this.id}' is already ${this.status}`, {
        id: this.id,
        status: this.status,
      });
    }
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private autoStart(): void {
    if (this.record.status !== "queued") return;
    const startedAt = Date.now();
    Object.assign(this.record, { status: "running", startedAt });
    this.estimator.update(this.record.percent, startedAt);
    this.emit("started", { startedAt }).catch((error: unknown) => this.report(error, "start"));
  }

  private readonly emitProgress = (value: ProgressValue): void => {
    if (isFinished(this.record.status)) return;
    Object.assign(this.record, value);
    this.emit("progress", value).catch((error: unknown) => this.report(error, "progress"));
  };

  /**
   * Writes the record as it is now, then publishes the event: a subscriber that reads the
   * snapshot after the event's offset always finds the event in it. Serial per job.
   */
  private emit<E extends JobEventName>(
    event: E,
    data: EventInput<E>,
    extra: { chunk?: { index: number; data: unknown } | undefined; final?: boolean } = {},
  ): Promise<void> {
    const { store, options, hub } = this.context;
    const record = this.record;
    const hasSeq = event !== "cancel_requested";
    if (hasSeq) record.seq++;
    record.updatedAt = Date.now();
    const copy = structuredClone(record);
    const payload = hasSeq ? { seq: record.seq, ...data } : data;
    const final = extra.final === true;
    const ttl = final ? options.retention : options.activeTtl;
    // Kept chunks get their expiry renewed every activeTtl / 2; living 1.5 × activeTtl, they
    // always outlive the record of an unfinished job.
    const chunkTtl = final ? options.retention : options.activeTtl * 1.5;
    const maintain = final || record.updatedAt - this.maintainedAt > options.activeTtl / 2;
    if (maintain) this.maintainedAt = record.updatedAt;
    return this.serial(async () => {
      const chunk = extra.chunk;
      if (chunk) await store.writeChunk(copy.id, chunk.index, chunk.data, chunkTtl);
      await store.write(copy, ttl);
      if (maintain) {
        await store.refreshChunks(copy, chunkTtl);
        await store.index(copy, options.activeTtl + options.retention);
      }
      await hub.publish(this.channel, event, payload);
      if (final) this.context.ended({ job: toInfo(copy), cancelReason: copy.cancelReason });
    });
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Waits for the final event, then lets go of the job. */
  private async end(final: Promise<void>): Promise<JobAck> {
    try {
      await final;
    } finally {
      this.releaseHandle();
    }
    return this.ack();
  }

  private releaseHandle(): void {
    if (this.released) return;
    this.released = true;
    this.throttle.dispose();
    clearTimeout(this.graceTimer);
    this.stopListening?.();
    this.stopListening = undefined;
    this.context.release(this);
    this.resolveDone(this.info());
  }

  private readonly onEvent = (event: BrokerEvent): void => {
    const change = applyJobEvent(this.record, event, this.context.options.maxSnapshotChunkBytes);
    if (change === null) return;
    if (this.record.percent > this.accepted.percent) {
      this.accepted = { percent: this.record.percent, step: this.record.step };
      this.estimator.update(this.record.percent, event.timestamp);
    }
    if (change === "cancel") this.controller.abort(abortReason(this.record.cancelReason));
    if (change === "finished") this.releaseHandle();
  };

  private report(error: unknown, what: string): void {
    this.context.logger.error({ err: error, job: this.id }, `job ${what} failed`);
  }
}

function abortReason(reason: string | null): DOMException {
  return new DOMException(reason ?? "The job was cancelled", "AbortError");
}
