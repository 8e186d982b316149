import { randomUUID } from "node:crypto";
import type { Broker, BrokerEvent, HistoryOptions } from "../broker/broker.js";

/** Retention large enough that nothing is trimmed during a test. */
export const KEEP_ALL: HistoryOptions = { size: 1000, ttl: 120_000 };

/** Records what the broker delivers to its node and lets a test wait for it. */
export class Deliveries {
  readonly events: BrokerEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly timeout: number) {}

  readonly deliver = (event: BrokerEvent): void => {
    this.events.push(event);
    for (const wake of this.waiters) wake();
  };

  /** The events delivered on `channel`, in delivery order. */
  on(channel: string): BrokerEvent[] {
    return this.events.filter((event) => event.channel === channel);
  }

  /** Resolves with the events of `channel` once it has at least `count` of them. */
  async until(channel: string, count: number): Promise<BrokerEvent[]> {
    const enough = () => this.on(channel).length >= count;
    if (!enough()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          const got = this.on(channel).length;
          reject(new Error(`expected ${count} deliveries on ${channel} but got ${got}`));
        }, this.timeout);
        const wake = () => {
          if (!enough()) return;
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
    return this.on(channel);
  }
}

/** A started broker under test and what it delivered. */
export interface Node {
  broker: Broker;
  deliveries: Deliveries;
}

/** What the contract's tests share: brokers that are closed after each test, fresh channels. */
export interface ContractHarness {
  /** Multiplier of the short ttls of age tests. */
  readonly ttlScale: number;
  /** A channel name no other test (or earlier run) used. */
  channel(label?: string): string;
  /** A broker that is not started yet (closed after the test). */
  make(): Promise<Broker>;
  /** A started broker recording its deliveries (closed after the test). */
  open(): Promise<Node>;
  /**
   * Waits until everything published before it has been delivered: publishes a marker on a
   * fresh channel and waits for it (a node receives one publisher's events in publish order).
   */
  settle(node: Node): Promise<void>;
  /** Publishes `count` events with history on `channel` (data 1..count), one after another. */
  fill(broker: Broker, channel: string, count: number, history?: HistoryOptions): Promise<void>;
  /** Closes every broker made since the last call. */
  closeAll(): Promise<void>;
}

/** The offsets of `events`, in order. */
export const offsets = (events: BrokerEvent[]) => events.map((event) => event.offset);

/** Creates the harness of one contract run. */
export function createHarness(
  makeBroker: () => Broker | Promise<Broker>,
  { ttlScale, deliveryTimeout }: { ttlScale: number; deliveryTimeout: number },
): ContractHarness {
  const run = randomUUID().slice(0, 8);
  let serial = 0;
  const opened: Broker[] = [];

  const channel = (label = "ch") => `contract-${run}:${label}-${++serial}`;

  async function make(): Promise<Broker> {
    const broker = await makeBroker();
    opened.push(broker);
    return broker;
  }

  return {
    ttlScale,
    channel,
    make,
    async open() {
      const broker = await make();
      const deliveries = new Deliveries(deliveryTimeout);
      await broker.start(deliveries.deliver);
      return { broker, deliveries };
    },
    async settle({ broker, deliveries }) {
      const marker = channel("marker");
      await broker.subscribe(marker);
      await broker.publish({ channel: marker, event: "marker", data: null });
      await deliveries.until(marker, 1);
    },
    async fill(broker, ch, count, history = KEEP_ALL) {
      for (let i = 1; i <= count; i++) {
        await broker.publish({ channel: ch, event: "e", data: i, history });
      }
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((broker) => broker.close()));
    },
  };
}
