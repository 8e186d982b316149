/**
 * The stores the hooks share: one SDK subscription per channel, one job, job list, synced
 * state or presence store per name, however many components use it. Each is refcounted; the
 * last release disposes it after a grace period, so React's StrictMode double mount and a route
 * change that unmounts and mounts the same channel do not unsubscribe and subscribe again.
 */
import type { Client, Job, JobList, Presence, StateStore, Subscription } from "@switchyard/client";

/** How long a store nobody uses is kept before it is disposed, in milliseconds. */
export const DEFAULT_UNSUBSCRIBE_GRACE = 1000;

/** Options of a {@link StoreRegistry}. */
export interface StoreRegistryOptions {
  /**
   * How long a channel (or store) that no component uses any more stays subscribed, in
   * milliseconds: a component that mounts it again meanwhile takes it over as it is.
   * @default 1000
   */
  grace?: number;
}

/** A use of a shared store: `release()` once, when the component no longer needs it. */
export interface Lease<T> {
  readonly value: T;
  release(): void;
}

interface Entry {
  readonly value: unknown;
  readonly dispose: () => void;
  refs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The shared stores of one client. `get` finds or creates a store without holding it (a
 * store created during a render that never commits is disposed after the grace period);
 * `retain` holds it until `release`.
 *
 * @example
 * const registry = registryOf(client);
 * const lease = registry.retainChannel("news");
 * const stop = lease.value.on("event", (event) => console.log(event.data));
 * // later
 * stop();
 * lease.release(); // unsubscribes one second later unless someone retains "news" again
 */
export class StoreRegistry {
  readonly client: Client;
  readonly #grace: number;
  readonly #entries = new Map<string, Entry>();

  constructor(client: Client, options: StoreRegistryOptions = {}) {
    this.client = client;
    this.#grace = options.grace ?? DEFAULT_UNSUBSCRIBE_GRACE;
  }

  /** The number of stores held or waiting for their grace period to end. */
  get size(): number {
    return this.#entries.size;
  }

  /** Finds or creates the store under `key`; unheld, it is disposed after the grace period. */
  get<T>(key: string, create: () => T, dispose: (value: T) => void): T {
    let entry = this.#entries.get(key);
    if (!entry) {
      const value = create();
      entry = { value, dispose: () => dispose(value), refs: 0, timer: undefined };
      this.#entries.set(key, entry);
      this.#schedule(key, entry);
    }
    return entry.value as T;
  }

  /** Holds the store under `key` (created if needed) until the lease is released. */
  retain<T>(key: string, create: () => T, dispose: (value: T) => void): Lease<T> {
    const value = this.get(key, create, dispose);
    const entry = this.#entries.get(key) as Entry;
    entry.refs += 1;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        entry.refs -= 1;
        if (entry.refs === 0) this.#schedule(key, entry);
      },
    };
  }

  /** The shared subscription to `channel`: every event, for every hook of the channel. */
  channel(channel: string): Subscription {
    return this.get(`channel\u0000${channel}`, () => this.client.subscribe(channel), unsubscribe);
  }

  /** Holds the shared subscription to `channel`. */
  retainChannel(channel: string): Lease<Subscription> {
    return this.retain(
      `channel\u0000${channel}`,
      () => this.client.subscribe(channel),
      unsubscribe,
    );
  }

  /** The shared store of job `id` (`client.job(id)`). */
  job(id: string): Job {
    return this.get(`job\u0000${id}`, () => this.client.job(id), dispose);
  }

  /** Holds the shared store of job `id`. */
  retainJob(id: string): Lease<Job> {
    return this.retain(`job\u0000${id}`, () => this.client.job(id), dispose);
  }

  /** The shared list of the caller's jobs (`client.jobs()`). */
  jobs(): JobList {
    return this.get("jobs", () => this.client.jobs(), dispose);
  }

  /** Holds the shared list of the caller's jobs. */
  retainJobs(): Lease<JobList> {
    return this.retain("jobs", () => this.client.jobs(), dispose);
  }

  /** The shared store of synced state document `name` (`client.state(name)`). */
  state(name: string): StateStore {
    return this.get(`state\u0000${name}`, () => this.client.state(name), dispose);
  }

  /** Holds the shared store of synced state document `name`. */
  retainState(name: string): Lease<StateStore> {
    return this.retain(`state\u0000${name}`, () => this.client.state(name), dispose);
  }

  /** The shared presence store of `channel` (`client.presence(channel)`). */
  presence(channel: string): Presence {
    return this.get(`presence\u0000${channel}`, () => this.client.presence(channel), dispose);
  }

  /** Holds the shared presence store of `channel`. */
  retainPresence(channel: string): Lease<Presence> {
    return this.retain(`presence\u0000${channel}`, () => this.client.presence(channel), dispose);
  }

  /** Disposes every store now (the provider does it when it closes the client it created). */
  clear(): void {
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer);
      entry.dispose();
    }
    this.#entries.clear();
  }

  #schedule(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (entry.refs > 0 || this.#entries.get(key) !== entry) return;
      this.#entries.delete(key);
      entry.dispose();
    }, this.#grace);
  }
}

function unsubscribe(subscription: Subscription): void {
  subscription.unsubscribe();
}

function dispose(store: { dispose(): void }): void {
  store.dispose();
}

const registries = new WeakMap<Client, StoreRegistry>();

/**
 * The registry of `client`, created on first use with `options` (later options are ignored):
 * components under different providers of the same client share its stores.
 */
export function registryOf(client: Client, options?: StoreRegistryOptions): StoreRegistry {
  let registry = registries.get(client);
  if (!registry) {
    registry = new StoreRegistry(client, options);
    registries.set(client, registry);
  }
  return registry;
}
