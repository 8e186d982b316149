/**
 * A value that many events change but that renders at most once per animation frame: a burst
 * of a thousand events on a channel is one render, not a thousand.
 */
import type { Readable } from "@switchyard/client";

/** How a hook re-renders for events: once per animation frame, or for every event. */
export type RenderMode = "frame" | "every";

/** Runs `callback` before the next repaint (a 16 ms timer where there are no frames). */
function nextFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(callback);
  else setTimeout(callback, 16);
}

/**
 * A store whose snapshot is recomputed by `compute` when a change is flushed: with `frame`,
 * changes made until the next animation frame are flushed together; with `every`, at once.
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
