import { setTimeout as wait } from "node:timers/promises";

/** Longest pause in ms after a lost race (the pause is random, growing with each loss). */
const MAX_BACKOFF = 100;

/**
 * A random pause after the `attempt`-th lost race: without it, the node that happens to write
 * first could keep winning while it has writes queued, and another node's writer starve.
 */
export function backoff(attempt: number): Promise<void> {
  return wait(Math.random() * Math.min(MAX_BACKOFF, 2 ** attempt));
}

/**
 * Runs tasks one after another per key (a document, an undo stack), each after the previous
 * one settled, so concurrent writers on one node do not make each other lose a compare-and-set:
 * the races left are between nodes.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.tails.set(key, next);
    const settled = () => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    };
    next.then(settled, settled);
    return next;
  }
}
