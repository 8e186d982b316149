import type {
  JobChunk,
  JobError,
  JobEventData,
  JobSnapshot,
  JobStatus,
  JobValidation,
} from "@switchyard/protocol";
import type { ReceivedEvent } from "./subscription.js";

/** A job as `client.job(id)` shows it: the hub's snapshot with every later event applied. */
export interface JobState {
  readonly id: string;
  /** Null until the hub's snapshot arrived (see `subscription`). */
  readonly status: JobStatus | null;
  /** 0–100; never goes down. */
  readonly percent: number;
  /** The producer's current step, or null. */
  readonly step: string | null;
  /** Seconds left as of the last report (the producer's, or the hub's estimate), or null. */
  readonly eta: number | null;
  /**
   * When the job is expected to end, in milliseconds since the Unix epoch on the hub's clock
   * (the last report's time plus `eta`), or null. A countdown is `etaAt - Date.now()`.
   */
  readonly etaAt: number | null;
  /** What the producer attached at creation (algorithm, parameters …). */
  readonly meta: unknown;
  /** Milliseconds since the Unix epoch (hub clock), or null before the snapshot. */
  readonly createdAt: number | null;
  readonly startedAt: number | null;
  readonly updatedAt: number | null;
  readonly finishedAt: number | null;
  /** True once someone asked the job to stop (it may still be `cancelling`). */
  readonly cancelRequested: boolean;
  /**
   * The partial results this client has, in index order, each index once. A late joiner gets
   * the chunks the hub kept (see `chunkCount`) and then every new one.
   */
  readonly chunks: readonly JobChunk[];
  /**
   * How many chunks the job produced. More than `chunks.length` when the hub stopped keeping
   * chunks for late joiners before this client joined (large results).
   */
  readonly chunkCount: number;
  /** The total the producer announced with its chunks, or null. */
  readonly chunkTotal: number | null;
  /** What the job completed with (null before). */
  readonly result: unknown;
  /** Why the job failed, or null. */
  readonly error: JobError | null;
  /** The producer's request for review, or null. */
  readonly validation: JobValidation | null;
  /** The number of the newest job event applied. */
  readonly seq: number;
  /**
   * The subscription to `job:<id>`: `subscribing` until the snapshot (and while reconnecting),
   * `subscribed`, `failed` when the hub refused (`subscribeError`), `unsubscribed` after
   * `dispose()`.
   */
  readonly subscription: "subscribing" | "subscribed" | "failed" | "unsubscribed";
  /** Why the hub refused to show the job (`job_not_found`, `forbidden` …), or null. */
  readonly subscribeError: Error | null;
}

/** The state of a job before its snapshot arrived. */
export function initialJobState(id: string): JobState {
  return {
    id,
    status: null,
    percent: 0,
    step: null,
    eta: null,
    etaAt: null,
    meta: null,
    createdAt: null,
    startedAt: null,
    updatedAt: null,
    finishedAt: null,
    cancelRequested: false,
    chunks: [],
    chunkCount: 0,
    chunkTotal: null,
    result: null,
    error: null,
    validation: null,
    seq: 0,
    subscription: "subscribing",
    subscribeError: null,
  };
}

/** True when `status` is final: nothing changes the job any more. */
function isFinal(status: JobStatus | null): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

function etaAt(eta: number | null, at: number): number | null {
  return eta === null ? null : at + eta * 1000;
}

/** Puts `chunk` under its index in an index-ordered list (a repeat changes nothing). */
function withChunk(chunks: readonly JobChunk[], chunk: JobChunk): readonly JobChunk[] {
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (chunks[middle]!.index < chunk.index) low = middle + 1;
    else high = middle;
  }
  if (chunks[low]?.index === chunk.index) return chunks;
  return [...chunks.slice(0, low), chunk, ...chunks.slice(low)];
}

/**
 * Takes a snapshot from the hub as the state. A snapshot older than the state (a lower `seq`)
 * only adds its chunks. The chunks this client already holds stay: a snapshot may keep fewer
 * than were delivered live.
 */
export function applySnapshot(state: JobState, snapshot: JobSnapshot): JobState {
  let chunks = state.chunks;
  for (const item of snapshot.chunks.items ?? []) chunks = withChunk(chunks, item);
  if (state.status !== null && snapshot.seq < state.seq) {
    return chunks === state.chunks ? state : { ...state, chunks };
  }
  const cancelRequested = snapshot.cancelRequested || state.cancelRequested;
  const running = snapshot.status === "running" || snapshot.status === "queued";
  return {
    ...state,
    // A cancel request heard as an event may be newer than a snapshot of the same `seq`.
    status: cancelRequested && running ? "cancelling" : snapshot.status,
    percent: snapshot.percent,
    step: snapshot.step,
    eta: snapshot.eta,
    etaAt: etaAt(snapshot.eta, snapshot.updatedAt),
    meta: snapshot.meta,
    createdAt: snapshot.createdAt,
    startedAt: snapshot.startedAt,
    updatedAt: snapshot.updatedAt,
    finishedAt: snapshot.finishedAt,
    cancelRequested,
    chunks,
    chunkCount: Math.max(snapshot.chunks.count, chunks.length),
    chunkTotal: snapshot.chunks.total,
    result: snapshot.result,
    error: snapshot.error,
    validation: snapshot.validation,
    seq: snapshot.seq,
  };
}

/**
 * Applies one event of `job:<id>` to the state, idempotently: an event whose `seq` the state
 * already has is skipped, a final state never changes, a chunk is stored under its index.
 * Returns the same state object when nothing changed.
 */
export function applyJobEvent(state: JobState, event: ReceivedEvent): JobState {
  if (isFinal(state.status)) return state;
  if (event.event === "cancel_requested") {
    if (state.cancelRequested) return state;
    const running = state.status === "running" || state.status === "queued";
    return { ...state, cancelRequested: true, status: running ? "cancelling" : state.status };
  }
  const data = event.data as { seq?: unknown };
  if (typeof data?.seq !== "number" || data.seq <= state.seq) return state;
  const at = event.timestamp;
  const next: Draft = { ...state, seq: data.seq, updatedAt: at };
  switch (event.event) {
    case "started": {
      const started = event.data as JobEventData["started"];
      if (next.status === "queued" || next.status === null) next.status = "running";
      next.startedAt = started.startedAt;
      return next;
    }
    case "progress": {
      const progress = event.data as JobEventData["progress"];
      next.percent = Math.max(state.percent, progress.percent);
      if (typeof progress.step === "string") next.step = progress.step;
      next.eta = progress.eta ?? null;
      next.etaAt = etaAt(next.eta, at);
      return next;
    }
    case "chunk": {
      const { index, total, data: chunk } = event.data as JobEventData["chunk"];
      next.chunks = withChunk(state.chunks, { index, data: chunk });
      if (next.chunks !== state.chunks) next.chunkCount = state.chunkCount + 1;
      next.chunkTotal = total ?? null;
      return next;
    }
    case "validation_required": {
      const { reason, confidence, suggestedActions } = event.data as JobValidation;
      next.validation = {
        reason,
        confidence: confidence ?? null,
        suggestedActions: suggestedActions ?? [],
      };
      return next;
    }
    case "completed":
      next.result = (event.data as JobEventData["completed"]).result ?? null;
      next.percent = 100;
      next.eta = 0;
      return finish(next, "completed", at);
    case "failed":
      next.error = (event.data as JobEventData["failed"]).error;
      return finish(next, "failed", at);
    case "cancelled":
      return finish(next, "cancelled", at);
    default:
      return next;
  }
}

type Draft = { -readonly [K in keyof JobState]: JobState[K] };

function finish(next: Draft, status: JobStatus, at: number): JobState {
  next.status = status;
  next.finishedAt = at;
  next.etaAt = next.eta === 0 ? at : null;
  if (status !== "completed") next.eta = null;
  return next;
}
