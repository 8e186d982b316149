import type { Broker, BrokerEvent } from "../broker/broker.js";
import { createMemoryBroker } from "../broker/memory-broker.js";

/**
 * One memory broker shared by successive hubs: each hub gets a lease whose `close` detaches
 * that hub instead of closing the broker, so history survives a hub restart.
 */
export class SharedBroker {
  readonly broker = createMemoryBroker();
  #deliver: ((event: BrokerEvent) => void) | undefined;
  readonly #started: Promise<void>;

  constructor() {
    this.#started = this.broker.start((event) => this.#deliver?.(event));
  }

  lease(): Broker {
    let attached: ((event: BrokerEvent) => void) | undefined;
    return {
      ...this.broker,
      start: async (deliver) => {
        await this.#started;
        attached = deliver;
        this.#deliver = deliver;
      },
      close: async () => {
        if (this.#deliver === attached) this.#deliver = undefined;
      },
    };
  }

  close(): Promise<void> {
    return this.broker.close();
  }
}
