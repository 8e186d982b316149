import type {
  JobChunk,
  JobError,
  JobSnapshot,
  JobStatus,
  JobValidation,
  JobVisibility,
} from "@switchyard/protocol";
import type { Broker } from "../../broker/broker.js";
import type { KeyValueStore } from "../../broker/kv.js";
import { eachIndex, type IndexRanges } from "./ranges.js";
import type { JobInfo, JobOwner } from "./types.js";

/**
 * A job as kept in the broker's key-value store, shared by every node: the snapshot, the
 * owner, and what the nodes need to check chunks (which indexes arrived, which are kept).
 */
export interface JobRecord {
  id: string;
  status: JobStatus;
  percent: number;
  step: string | null;
  eta: number | null;
  meta: unknown;
  visibility: JobVisibility;
  owner: JobOwner;
  createdAt: number;
  startedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
  cancelRequested: boolean;
  cancelReason: string | null;
  result: unknown;
  error: JobError | null;
  validation: JobValidation | null;
  seq: number;
  chunks: {
    count: number;
    total: number | null;
    truncated: boolean;
    /** Indexes received. */
    received: IndexRanges;
    /** Indexes whose data is kept for the snapshot. */
    retained: IndexRanges;
    retainedBytes: number;
  };
}

/** Key-value layout of jobs (one prefix, so jobs never collide with other features). */
const jobKeys = {
  record: (id: string) => `jobs/record/${id}`,
  chunk: (id: string, index: number) => `jobs/chunk/${id}/${index}`,
  user: (userId: string) => `jobs/user/${userId}`,
  session: (sessionId: string) => `jobs/session/${sessionId}`,
};

/** The client view of a record: the snapshot, without the owner. */
export function toSnapshot(info: JobInfo): JobSnapshot {
  const { owner: _owner, ...snapshot } = info;
  return snapshot;
}

/** The server view of a record; `items` are the kept chunks (absent in listings). */
export function toInfo(record: JobRecord, items?: JobChunk[]): JobInfo {
  const { chunks, cancelReason: _reason, ...rest } = record;
  const truncated = chunks.truncated || (items !== undefined && items.length < chunks.count);
  return {
    ...rest,
    chunks: {
      count: chunks.count,
      total: chunks.total,
      ...(items === undefined ? {} : { items }),
      truncated,
    },
  };
}

/** Reads and writes job records, their kept chunks and the per-user / per-session indexes. */
export class JobStore {
  constructor(private readonly broker: Broker) {}

  /** Read at use: a broker may set up its store in `start`. */
  private get kv(): KeyValueStore {
    return this.broker.kv;
  }

  async read(id: string): Promise<JobRecord | undefined> {
    return (await this.kv.get(jobKeys.record(id))) as JobRecord | undefined;
  }

  write(record: JobRecord, ttl: number): Promise<void> {
    return this.kv.set(jobKeys.record(record.id), record, ttl);
  }

  writeChunk(id: string, index: number, data: unknown, ttl: number): Promise<void> {
    return this.kv.set(jobKeys.chunk(id, index), data, ttl);
  }

  /** Gives the kept chunks a new expiry (when the job finishes, or stays active long). */
  async refreshChunks(record: JobRecord, ttl: number): Promise<void> {
    await Promise.all(
      [...eachIndex(record.chunks.retained)].map(async (index) => {
        const key = jobKeys.chunk(record.id, index);
        const data = await this.kv.get(key);
        if (data !== undefined) await this.kv.set(key, data, ttl);
      }),
    );
  }

  /** Lists the job under its owner's user and session for `ttl` ms. */
  async index(record: JobRecord, ttl: number): Promise<void> {
    const { userId, sessionId } = record.owner;
    await Promise.all([
      userId === null ? undefined : this.kv.addToSet(jobKeys.user(userId), record.id, ttl),
      sessionId === null ? undefined : this.kv.addToSet(jobKeys.session(sessionId), record.id, ttl),
    ]);
  }

  /** The job with its kept chunks, or undefined when it is not kept. */
  async info(id: string): Promise<JobInfo | undefined> {
    const record = await this.read(id);
    if (record === undefined) return undefined;
    const indexes = [...eachIndex(record.chunks.retained)];
    const values = await Promise.all(indexes.map((index) => this.kv.get(jobKeys.chunk(id, index))));
    const items: JobChunk[] = [];
    indexes.forEach((index, at) => {
      if (values[at] !== undefined) items.push({ index, data: values[at] });
    });
    return toInfo(record, items);
  }

  /** The kept jobs of a user or a session, newest first; forgets ids whose job is gone. */
  async list(query: { userId: string } | { sessionId: string }): Promise<JobRecord[]> {
    const key = "userId" in query ? jobKeys.user(query.userId) : jobKeys.session(query.sessionId);
    const ids = await this.kv.members(key);
    const records = await Promise.all(ids.map((id) => this.read(id)));
    const kept: JobRecord[] = [];
    const gone: Promise<void>[] = [];
    records.forEach((record, at) => {
      if (record === undefined) gone.push(this.kv.removeFromSet(key, ids[at] as string));
      else kept.push(record);
    });
    await Promise.all(gone);
    return kept.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }
}

/** A fresh record for a new job. */
export function newRecord(init: {
  id: string;
  owner: JobOwner;
  meta: unknown;
  visibility: JobVisibility;
  queued: boolean;
  now: number;
}): JobRecord {
  return {
    id: init.id,
    status: init.queued ? "queued" : "running",
    percent: 0,
    step: null,
    eta: null,
    meta: init.meta ?? null,
    visibility: init.visibility,
    owner: init.owner,
    createdAt: init.now,
    startedAt: init.queued ? null : init.now,
    updatedAt: init.now,
    finishedAt: null,
    cancelRequested: false,
    cancelReason: null,
    result: null,
    error: null,
    validation: null,
    seq: init.queued ? 0 : 1,
    chunks: {
      count: 0,
      total: null,
      truncated: false,
      received: [],
      retained: [],
      retainedBytes: 0,
    },
  };
}
