/**
 * Subscribable values and event emitters: the two shapes the client exposes, so any UI
 * framework can adapt them (React bridges a {@link Readable} with `useSyncExternalStore`).
 */

/** A value that changes over time; `subscribe` returns the function that stops listening. */
export interface Readable<T> {
  /** The current value. The same object until it changes, so it can be compared by identity. */
  readonly getSnapshot: () => T;
  /** Calls `listener` after every change; returns the function that stops listening. */
  readonly subscribe: (listener: () => void) => () => void;
}

/**
 * Calls a user listener. A throwing listener must not stop the others nor break the client's
 * bookkeeping, and must not be swallowed either: it is rethrown on its own task, as an
 * `EventTarget` reports a throwing listener.
 */
function callListener<A extends unknown[]>(listener: (...args: A) => void, ...args: A) {
  try {
    listener(...args);
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}

/** A {@link Readable} the client writes to. Methods are bound: pass them around freely. */
export class Store<T> implements Readable<T> {
  #value: T;
  readonly #listeners = new Set<() => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  readonly getSnapshot = (): T => this.#value;

  readonly subscribe = (listener: () => void): (() => void) => {
    // Wrapped so the same function may subscribe twice and unsubscribe each time on its own.
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  };

  /** Replaces the value and notifies the listeners. */
  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const listener of this.#listeners) callListener(listener);
  }

  /** Merges `patch` into an object value, producing a new snapshot. */
  update(patch: Partial<T>): void {
    this.set({ ...this.#value, ...patch });
  }
}

/** Listener functions keyed by event name. */
export type EventMap<M> = { [K in keyof M]: (...args: never[]) => void };

/** Typed event listeners; `on` returns the function that stops listening. */
export class Emitter<M extends EventMap<M>> {
  readonly #listeners = new Map<keyof M, Set<M[keyof M]>>();

  /** Calls `listener` for every `type` event; returns the function that stops listening. */
  on<K extends keyof M>(type: K, listener: M[K]): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    // Wrapped so the same function may be added twice and removed each time on its own.
    const entry = ((...args: Parameters<M[K]>) =>
      (listener as (...a: Parameters<M[K]>) => void)(...args)) as M[K];
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Calls every listener of `type`; a throwing listener does not stop the others. */
  emit<K extends keyof M>(type: K, ...args: Parameters<M[K]>): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of set) {
      callListener(listener as (...a: Parameters<M[K]>) => void, ...args);
    }
  }

  /** True when `type` has at least one listener. */
  has(type: keyof M): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
