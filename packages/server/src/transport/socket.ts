import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Codec, SwitchyardError } from "@switchyard/protocol";
import type { OutboundMessage } from "./outbound-message.js";

/**
 * The transport seam: what the hub needs of a transport and what it gives one. The builtin
 * RFC 6455 transport and the `ws` one implement it; so can yours (`createHub({ transport })`).
 */

/** One accepted WebSocket, as the hub core uses it. */
export interface HubSocket {
  /**
   * Sends one message. The same `message` may be sent to many sockets (fan-out): a transport
   * that frames messages itself builds the wire form once, keeps it in `message.wire`, and
   * writes the same bytes to every socket. Writes keep their order with the transport's own
   * control frames (pong, close). `onWritten`, when given, is called once the bytes left the
   * process (used only while the socket is backed up, so the fast path allocates nothing).
   * Nothing is sent once the closing handshake started.
   */
  send(message: OutboundMessage, onWritten?: () => void): void;
  /**
   * Starts the closing handshake with `code` and `reason` (any length: the transport cuts it to
   * the 123 bytes a close frame holds). The transport destroys the socket when the peer does
   * not finish the handshake in time (close-grace.ts).
   */
  close(code: number, reason: string): void;
  /** Destroys the socket at once. */
  terminate(): void;
  /** Bytes handed to the socket and not yet written to the network. */
  readonly bufferedAmount: number;
}

/** What a transport reports about one socket to the hub. */
export interface SocketHandler {
  /** One inbound WebSocket message. */
  message(data: Buffer, binary: boolean): void;
  /**
   * A WebSocket ping of `bytes` payload bytes arrived; the transport answers it with a pong
   * only when this returns true (the handler applies its rate limit and queue cap to it).
   */
  ping(bytes: number): boolean;
  /** The socket closed (after the handshake or abruptly: 1006). */
  closed(code: number): void;
}

/** What the transport learned from the upgrade request. */
export interface UpgradeInfo {
  request: IncomingMessage;
  codec: Codec;
  ip: string;
}

/** What the hub gives the transport it runs on ({@link Transport.bind}). */
export interface TransportHost {
  /** Hard ceiling of one inbound message; larger ones close the socket with 1009. */
  maxPayload: number;
  /** Refuses an upgrade before the handshake (origin, draining); null lets it through. */
  check(request: IncomingMessage): SwitchyardError | null;
  /** Called for every accepted socket; returns the handler of its messages and close. */
  accept(socket: HubSocket, info: UpgradeInfo): SocketHandler;
  onError(error: unknown): void;
}

/**
 * A WebSocket server implementation the hub runs on. The hub binds it once, then routes the
 * upgrades of its path to it.
 */
export interface Transport {
  /** Serves `host` from now on; called once, before the first upgrade. */
  bind(host: TransportHost): void;
  /** Completes or refuses the upgrade of `socket`; `head` holds bytes read past the headers. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Settles once the transport can serve (a transport loaded on demand); absent: at once. */
  readonly ready?: Promise<void>;
}

/** Options of the transports Switchyard ships. */
export interface TransportOptions {
  /**
   * Milliseconds a closing socket lives at most when its peer does not finish the closing
   * handshake. A peer gets 3 s to answer once our close frame left; this long applies only to
   * a close frame stuck behind bytes the peer has not read, so that a client that reads again
   * still learns why it was closed.
   * @default 30_000
   */
  closeTimeout?: number;
}
