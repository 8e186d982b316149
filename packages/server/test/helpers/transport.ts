import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { builtinTransport } from "../../src/transport/builtin-transport.js";
import type {
  HubSocket,
  Transport,
  TransportHost,
  TransportOptions,
} from "../../src/transport/socket.js";
import { wsTransport } from "../../src/transport/ws-transport.js";
import { onCleanup } from "./fixtures.js";

/** The transports Switchyard ships, by the name `createHub({ transport })` takes. */
export type TransportKind = "builtin" | "ws";

/** Both transports, for suites that must pass on each. */
export const TRANSPORTS: readonly TransportKind[] = ["builtin", "ws"];

/** A transport of `kind`, bound to `host`. */
export function createTransport(
  kind: TransportKind,
  host: TransportHost & TransportOptions,
): Transport {
  const { closeTimeout, ...rest } = host;
  const options = closeTimeout === undefined ? {} : { closeTimeout };
  const transport = kind === "ws" ? wsTransport(options) : builtinTransport(options);
  transport.bind(rest);
  return transport;
}

/** One socket a transport accepted, and everything its handler heard. */
export interface AcceptedSocket {
  socket: HubSocket;
  messages: { data: string; binary: boolean }[];
  /** The payload length of every ping the transport reported. */
  pings: number[];
  /** What the handler answers to `ping` (whether the transport sends the pong); yes at first. */
  answerPing: (bytes: number) => boolean;
  /** Every `closed(code)` call (a correct transport makes exactly one). */
  closedCodes: number[];
  /** Resolves with the code of the first `closed` call. */
  closed: Promise<number>;
}

export interface TransportFixture {
  port: number;
  /** Errors the transport reported through `onError`. */
  errors: unknown[];
  /** Resolves with the next socket the transport accepts (or one already accepted). */
  nextSocket(): Promise<AcceptedSocket>;
}

/**
 * A transport alone (no hub) on a real http.Server on port 0, with handlers that record what
 * they hear; closed after the test.
 */
export async function startTransport(
  kind: TransportKind,
  options: Partial<TransportHost & TransportOptions> = {},
): Promise<TransportFixture> {
  const accepted: AcceptedSocket[] = [];
  const waiting: ((socket: AcceptedSocket) => void)[] = [];
  const errors: unknown[] = [];
  const transport = createTransport(kind, {
    maxPayload: 1024,
    check: () => null,
    onError: (error) => errors.push(error),
    accept: (socket) => {
      let resolveClosed: (code: number) => void = () => {};
      const record: AcceptedSocket = {
        socket,
        messages: [],
        pings: [],
        answerPing: () => true,
        closedCodes: [],
        closed: new Promise((resolve) => {
          resolveClosed = resolve;
        }),
      };
      const waiter = waiting.shift();
      if (waiter) waiter(record);
      else accepted.push(record);
      return {
        message: (data, binary) => record.messages.push({ data: data.toString(), binary }),
        ping: (bytes) => {
          record.pings.push(bytes);
          return record.answerPing(bytes);
        },
        closed: (code) => {
          record.closedCodes.push(code);
          resolveClosed(code);
        },
      };
    },
    ...options,
  });
  const server = createServer();
  server.on("upgrade", (request, socket, head) => transport.handleUpgrade(request, socket, head));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    port: (server.address() as AddressInfo).port,
    errors,
    nextSocket: () => {
      const ready = accepted.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}
