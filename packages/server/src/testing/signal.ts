/**
 * Waits for conditions that event sources make true: `until(check)` resolves once `check()`
 * holds, re-checked whenever `poke` is called (from an event handler, a store listener, a
 * child process's output). No polling, no sleeps.
 *
 * @example
 * const signal = new Signal();
 * client.on("event", signal.poke);
 * await signal.until(() => received.length === 10, "ten events");
 */
export class Signal {
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  /** Re-checks every waiter. */
  readonly poke = (): void => {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.check()) return true;
      waiter.resolve();
      return false;
    });
  };

  /**
   * Resolves once `check()` holds; rejects after `timeout` ms with `what` (or what it returns,
   * for a description that changes as the test runs) in the message.
   */
  until(check: () => boolean, what: string | (() => string), timeout = 20_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.check !== check);
        reject(new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`));
      }, timeout);
      this.#waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}
