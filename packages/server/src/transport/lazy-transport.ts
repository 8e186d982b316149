import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Transport, TransportHost } from "./socket.js";

/**
 * A transport whose module is loaded on demand (the `ws` one, so that `ws` is imported only
 * by hubs that use it). Upgrades that arrive while it loads wait for it; if it cannot load,
 * `ready` rejects (the hub's `whenStarted()` says so) and those upgrades are dropped.
 */
export function lazyTransport(load: () => Promise<Transport>): Transport {
  let host: TransportHost | undefined;
  let loaded: Transport | undefined;
  const loading = load().then((transport) => {
    if (host !== undefined) transport.bind(host);
    loaded = transport;
    return transport;
  });
  return {
    ready: loading.then(() => undefined),
    bind(bound: TransportHost): void {
      host = bound;
      loaded?.bind(bound);
    },
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      if (loaded !== undefined) {
        loaded.handleUpgrade(request, socket, head);
        return;
      }
      loading.then(
        (transport) => transport.handleUpgrade(request, socket, head),
        (error: unknown) => {
          host?.onError(error);
          socket.destroy();
        },
      );
    },
  };
}
