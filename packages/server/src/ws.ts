/**
 * `@switchyard/server/ws`: the transport on the `ws` package, to pass to
 * `createHub({ transport: wsTransport({ … }) })` with options. `createHub({ transport: "ws" })`
 * loads the same on demand. Needs `ws` installed (an optional peer dependency).
 */
export { wsTransport } from "./transport/ws-transport.js";
