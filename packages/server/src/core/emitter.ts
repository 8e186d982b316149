/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (value: never) => void);
    return () => {
      set.delete(listener as (value: never) => void);
    };
  }

  /** Calls every listener; a throwing listener is reported to `onError`, not to the emitter. */
  emit<K extends keyof Events>(
    event: K,
    value: Events[K],
    onError: (error: unknown) => void,
  ): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        onError(error);
      }
    }
  }
}
