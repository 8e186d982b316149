import type { ConnectResult, JobListResult, JobSnapshot } from "@switchyard/protocol";
import { ClientError } from "./errors.js";
import type { JobLink } from "./job.js";
import { type Readable, Store } from "./store.js";

/** The caller's jobs, as `client.jobs()` shows them. */
export interface JobListState {
  /**
   * The jobs of this client's user and of its session, newest first, without chunk data:
   * a page reloaded mid-job follows the active ones with `client.job(id)`.
   */
  readonly jobs: readonly JobSnapshot[];
  /** `loading` until the first answer, `ready` after each good one, `failed` after a bad one. */
  readonly status: "loading" | "ready" | "failed";
  /** Why the last refresh failed, or null. */
  readonly error: Error | null;
}

/**
 * The caller's jobs list (`client.jobs()`): RPC `job.list`, asked on every (re)connect and on
 * `refresh()`.
 */
export interface JobList extends Readable<JobListState> {
  /** Asks the hub again; resolves with the state after the answer (errors are in the state). */
  refresh(): Promise<JobListState>;
  /** Stops refreshing on reconnects. */
  dispose(): void;
}

class JobListStore implements JobList {
  readonly getSnapshot: () => JobListState;
  readonly subscribe: (listener: () => void) => () => void;
  readonly #link: JobLink;
  readonly #store = new Store<JobListState>({ jobs: [], status: "loading", error: null });
  readonly #stop: () => void;
  #request = 0;
  #info: ConnectResult | null = null;
  #disposed = false;

  constructor(link: JobLink) {
    this.#link = link;
    this.getSnapshot = this.#store.getSnapshot;
    this.subscribe = this.#store.subscribe;
    this.#stop = link.connection.subscribe(() => this.#connection());
    this.#connection();
  }

  async refresh(): Promise<JobListState> {
    const request = ++this.#request;
    try {
      const { jobs } = (await this.#link.rpc("job.list", {})) as JobListResult;
      if (!this.#disposed && request === this.#request) {
        this.#store.set({ jobs, status: "ready", error: null });
      }
    } catch (error) {
      // A call cut by a lost link is asked again on the next link.
      const lost = error instanceof ClientError && error.code === "connection_lost";
      if (!this.#disposed && request === this.#request && !lost) {
        const cause = error instanceof Error ? error : new Error(String(error));
        this.#store.update({ status: "failed", error: cause });
      }
    }
    return this.getSnapshot();
  }

  dispose(): void {
    this.#disposed = true;
    this.#stop();
  }

  /** A new link (first connect or reconnect) asks again: jobs may have changed meanwhile. */
  #connection(): void {
    const { info } = this.#link.connection.getSnapshot();
    if (info === null || info === this.#info || this.#disposed) return;
    this.#info = info;
    void this.refresh();
  }
}

/** Follows the caller's jobs; see {@link JobList}. */
export function watchJobs(link: JobLink): JobList {
  return new JobListStore(link);
}
