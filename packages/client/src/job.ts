import type { JobSnapshot } from "@switchyard/protocol";
import type { ConnectionState } from "./connection-state.js";
import { applyJobEvent, applySnapshot, initialJobState, type JobState } from "./job-state.js";
import { type Readable, Store } from "./store.js";
import type {
  ReceivedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionState,
} from "./subscription.js";

/** What the job stores need from the client (untyped by any contract). */
export interface JobLink {
  readonly connection: Readable<ConnectionState>;
  subscribe(channel: string, options: SubscribeOptions): Subscription;
  rpc(method: string, data: unknown): Promise<unknown>;
}

/**
 * A job's live state (`client.job(id)`): a store that follows `job:<id>`. The subscribe
 * reply's snapshot seeds it (again after every reconnect), the job's events apply on top in
 * order and exactly once, and a late joiner sees the status, progress, ETA and chunks so far
 * at once.
 */
export interface Job extends Readable<JobState> {
  readonly id: string;
  /**
   * Asks the job to stop (RPC `job.cancel`, owner only, else `forbidden`). Resolves with the
   * state after the request: `cancelRequested` true, `cancelling` until the producer stops,
   * then `cancelled`. Rejects with `job_finished` when the job already ended.
   */
  cancel(reason?: string): Promise<JobState>;
  /** Stops following the job (the channel is left once nothing else uses it). */
  dispose(): void;
}

class JobStore implements Job {
  readonly id: string;
  readonly getSnapshot: () => JobState;
  readonly subscribe: (listener: () => void) => () => void;
  readonly #link: JobLink;
  readonly #store: Store<JobState>;
  readonly #subscription: Subscription;
  readonly #stop: () => void;
  #seen: unknown;
  /** Events held back while the snapshot of an already-live channel is fetched. */
  #held: ReceivedEvent[] | undefined;
  #disposed = false;

  constructor(link: JobLink, id: string) {
    this.id = id;
    this.#link = link;
    this.#store = new Store(initialJobState(id));
    this.getSnapshot = this.#store.getSnapshot;
    this.subscribe = this.#store.subscribe;
    this.#subscription = link.subscribe(`job:${id}`, { onEvent: (event) => this.#event(event) });
    const state = this.#subscription.state;
    const first = state.getSnapshot();
    if (first.status === "subscribed") {
      // The channel was already subscribed: its snapshot is as old as that subscription and
      // the events since went by. Ask for the current one and hold events meanwhile.
      this.#seen = first.snapshot;
      this.#held = [];
      link.rpc("job.get", { id }).then(
        (snapshot) => this.#caughtUp(snapshot as JobSnapshot),
        () => this.#caughtUp(undefined),
      );
    }
    this.#stop = state.subscribe(() => this.#sync(state.getSnapshot()));
    this.#sync(first);
  }

  async cancel(reason?: string): Promise<JobState> {
    const data = reason === undefined ? { id: this.id } : { id: this.id, reason };
    const snapshot = (await this.#link.rpc("job.cancel", data)) as JobSnapshot;
    if (!this.#disposed) this.#store.set(applySnapshot(this.getSnapshot(), snapshot));
    return this.getSnapshot();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stop();
    this.#subscription.unsubscribe();
    this.#store.update({ subscription: "unsubscribed" });
  }

  #event(event: ReceivedEvent): void {
    if (this.#held) this.#held.push(event);
    else this.#store.set(applyJobEvent(this.getSnapshot(), event));
  }

  #sync(subscription: SubscriptionState): void {
    if (this.#disposed) return;
    let next = this.getSnapshot();
    const { snapshot, status, error } = subscription;
    if (snapshot !== undefined && snapshot !== this.#seen) {
      this.#seen = snapshot;
      next = this.#drain(applySnapshot(next, snapshot as JobSnapshot));
    }
    if (status !== next.subscription || error !== next.subscribeError) {
      next = { ...next, subscription: status, subscribeError: error };
    }
    this.#store.set(next);
  }

  #caughtUp(snapshot: JobSnapshot | undefined): void {
    if (this.#disposed || !this.#held) return;
    const state = this.getSnapshot();
    this.#store.set(this.#drain(snapshot ? applySnapshot(state, snapshot) : state));
  }

  /** Applies the held events to `state` (those a snapshot has already are skipped). */
  #drain(state: JobState): JobState {
    const held = this.#held ?? [];
    this.#held = undefined;
    return held.reduce(applyJobEvent, state);
  }
}

/** Follows one job; see {@link Job}. */
export function watchJob(link: JobLink, id: string): Job {
  return new JobStore(link, id);
}
