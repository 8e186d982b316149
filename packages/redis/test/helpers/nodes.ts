import { randomUUID } from "node:crypto";
import type { BrokerEvent } from "@switchyard/server";
import { createRedisBroker, type RedisBroker, type RedisBrokerOptions } from "../../src/index.js";

const WAIT_TIMEOUT = 8_000;

/** Records what a broker reports and lets a test wait for it. */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  readonly push = (item: T): void => {
    this.items.push(item);
    for (const wake of [...this.waiters]) wake();
  };

  /** Resolves with the items once `done(items)` holds; rejects after a timeout. */
  until(done: (items: T[]) => boolean, what: string): Promise<T[]> {
    if (done(this.items)) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items)}`));
      }, WAIT_TIMEOUT);
      const wake = () => {
        if (!done(this.items)) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(this.items);
      };
      this.waiters.add(wake);
    });
  }

  /** Resolves with the next item pushed from now on. */
  next(what: string): Promise<T> {
    const count = this.items.length;
    return this.until((items) => items.length > count, what).then((items) => items[count] as T);
  }
}

/** A started Redis broker ("hub node") and everything it reported. */
export interface TestNode {
  broker: RedisBroker;
  events: Recorder<BrokerEvent>;
  resets: Recorder<string[]>;
  readiness: Recorder<boolean>;
  /** Events delivered on `channel`, in delivery order. */
  on(channel: string): BrokerEvent[];
  /** Waits until `count` events were delivered on `channel`. */
  until(channel: string, count: number): Promise<BrokerEvent[]>;
  /** True once `channel` was reported reset. */
  wasReset(channel: string): boolean;
}

/** Starts brokers on one Redis and closes them all at the end of each test. */
export function nodeFactory() {
  const opened: RedisBroker[] = [];
  return {
    /** A prefix no other test uses, so tests do not see each other's keys. */
    prefix: () => `test-${randomUUID().slice(0, 8)}`,

    /** Creates and starts a broker; `options.url` is required. */
    async start(options: RedisBrokerOptions): Promise<TestNode> {
      const events = new Recorder<BrokerEvent>();
      const resets = new Recorder<string[]>();
      const readiness = new Recorder<boolean>();
      const broker = createRedisBroker({ ...options, onReadyChange: readiness.push });
      opened.push(broker);
      await broker.start(events.push, { onReset: resets.push });
      const on = (channel: string) => events.items.filter((event) => event.channel === channel);
      return {
        broker,
        events,
        resets,
        readiness,
        on,
        until: (channel, count) =>
          events
            .until(() => on(channel).length >= count, `${count} events on ${channel}`)
            .then(() => on(channel)),
        wasReset: (channel) => resets.items.some((channels) => channels.includes(channel)),
      };
    },

    /** Closes every broker started since the last call. */
    async closeAll(): Promise<void> {
      await Promise.all(opened.splice(0).map((broker) => broker.close()));
    },
  };
}
