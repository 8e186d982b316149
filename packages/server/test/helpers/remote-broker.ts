import type { Broker } from "../../src/index.js";
import { createMemoryBroker } from "../../src/index.js";
import { nextTurn } from "./streams.js";

/**
 * The memory broker with the read latency of a broker across the network: `position`,
 * `recover` and `history` answer a few turns of the event loop later, as a Redis round trip
 * would, so events published meanwhile race the read exactly as they do in a cluster.
 * Everything else is the real memory broker.
 */
export function withRemoteReads(broker: Broker = createMemoryBroker(), turns = 3): Broker {
  const later = async <T>(read: () => Promise<T>): Promise<T> => {
    for (let turn = 0; turn < turns; turn++) await nextTurn();
    const result = await read();
    for (let turn = 0; turn < turns; turn++) await nextTurn();
    return result;
  };
  return {
    start: (deliver) => broker.start(deliver),
    publish: (message) => broker.publish(message),
    subscribe: (channel) => broker.subscribe(channel),
    unsubscribe: (channel) => broker.unsubscribe(channel),
    position: (channel) => later(() => broker.position(channel)),
    recover: (channel, since) => later(() => broker.recover(channel, since)),
    history: (channel, query) => later(() => broker.history(channel, query)),
    kv: broker.kv,
    presence: broker.presence,
    ready: () => broker.ready(),
    close: () => broker.close(),
  };
}
