/**
 * A value that many events change but that renders at most once per frame (16 ms): a burst of
 * a thousand events on a channel is a few renders, not a thousand.
 */
import type { Readable } from "@switchyard/client";

/** How a hook re-renders for events: at most once per frame (16 ms), or for every event. */
export type RenderMode = "frame" | "every";

/** The batching window of `frame`: one frame at 60 Hz, in milliseconds. */
export const FRAME_MS = 16;

/**
 * Runs `callback` after one frame's time. A timer rather than `requestAnimationFrame`: it
 * batches the same way in every environment (frames do not run in background tabs, nor in
 * test DOMs that run them at once), and the render itself still waits for the browser's frame.
 */
function nextFrame(callback: () => void): void {
  setTimeout(callback, FRAME_MS);
}

/**
 * A store whose snapshot is recomputed by `compute` when a change is flushed: with `frame`,
 * changes made within one frame (16 ms) are flushed together; with `every`, at once.
 */
export class BatchedValue<T> implements Readable<T> {
  #value: T;
  readonly #compute: () => T;
  readonly #mode: RenderMode;
  readonly #listeners = new Set<() => void>();
  #scheduled = false;
  #stopped = false;

  constructor(initial: T, compute: () => T, mode: RenderMode) {
    this.#value = initial;
    this.#compute = compute;
    this.#mode = mode;
  }

  readonly getSnapshot = (): T => this.#value;

  readonly subscribe = (listener: () => void): (() => void) => {
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  };

  /** The source changed: the snapshot follows at the next flush. */
  changed(): void {
    if (this.#stopped) return;
    if (this.#mode === "every") {
      this.#flush();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    nextFrame(() => {
      this.#scheduled = false;
      if (!this.#stopped) this.#flush();
    });
  }

  /** No more flushes (the source is disposed). */
  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
  }

  #flush(): void {
    const next = this.#compute();
    if (Object.is(next, this.#value)) return;
    this.#value = next;
    for (const listener of this.#listeners) listener();
  }
}
