import type { StateChange, StateEventData } from "@switchyard/protocol";
import type { StateBatchOptions } from "./options.js";

interface Pending {
  readonly changes: Map<string, StateChange>;
  version: number;
  /** The document versions of the writes gathered. */
  readonly writes: number[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Publishes one event on a document's channel. */
export type PublishStateEvent = <E extends keyof StateEventData>(
  name: string,
  event: E,
  data: StateEventData[E],
) => Promise<unknown>;

/**
 * Gathers the changes of a document's writes on this node for a window (100 ms) or a number of
 * writes (10), whichever comes first, and publishes them as one `changes` event with the newest
 * change of each key and the versions of every write gathered (`writes`, so a client knows which
 * versions it has seen whole). Events of one document leave in order (a `reload` after the
 * batch before it).
 */
export class ChangeBatcher {
  private readonly pending = new Map<string, Pending>();
  /** The last publish of each document, so the next one goes after it. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly publish: PublishStateEvent,
    private readonly onError: (error: unknown, name: string) => void,
  ) {}

  /** Adds the changes of one write to the document's batch. */
  add(name: string, options: StateBatchOptions, version: number, changes: readonly StateChange[]) {
    let pending = this.pending.get(name);
    if (pending === undefined) {
      pending = { changes: new Map(), version: 0, writes: [], timer: undefined };
      this.pending.set(name, pending);
    }
    for (const change of changes) {
      const held = pending.changes.get(change.key);
      if (held === undefined || held.version < change.version) {
        pending.changes.set(change.key, change);
      }
    }
    pending.version = Math.max(pending.version, version);
    pending.writes.push(version);
    if (pending.writes.length >= options.max) {
      void this.flush(name);
    } else {
      pending.timer ??= setTimeout(() => void this.flush(name), options.window);
    }
  }

  /** Publishes the document's pending batch now (resolves once it and those before are out). */
  flush(name: string): Promise<void> {
    const pending = this.pending.get(name);
    if (pending !== undefined) {
      this.pending.delete(name);
      clearTimeout(pending.timer);
      const changes = [...pending.changes.values()].sort((a, b) => a.version - b.version);
      // Writes of one node may be added out of version order (each waits on its undo record).
      const writes = [...pending.writes].sort((a, b) => a - b);
      this.enqueue(name, () =>
        this.publish(name, "changes", { version: pending.version, changes, writes }),
      );
    }
    return this.queues.get(name) ?? Promise.resolve();
  }

  /** Flushes the document's batch, then publishes `event` after it. */
  after<E extends keyof StateEventData>(
    name: string,
    event: E,
    data: StateEventData[E],
  ): Promise<void> {
    void this.flush(name);
    return this.enqueue(name, () => this.publish(name, event, data));
  }

  /** Flushes every batch (the hub is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((name) => this.flush(name)));
    await Promise.all(this.queues.values());
  }

  private enqueue(name: string, send: () => Promise<unknown>): Promise<void> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.then(send).then(
      () => undefined,
      (error: unknown) => this.onError(error, name),
    );
    this.queues.set(name, next);
    void next.then(() => {
      if (this.queues.get(name) === next) this.queues.delete(name);
    });
    return next;
  }
}
