import { BuiltinTransport } from "./builtin-transport.js";
import type { Transport, TransportOptions } from "./upgrade.js";
import { WsTransport } from "./ws-transport.js";

/** The WebSocket server implementations the hub can run on. */
export type TransportKind = "builtin" | "ws";

/** Creates the hub's transport of the given kind. */
export function createTransport(kind: TransportKind, options: TransportOptions): Transport {
  return kind === "ws" ? new WsTransport(options) : new BuiltinTransport(options);
}
