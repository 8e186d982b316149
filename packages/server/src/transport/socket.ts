import type { OutboundMessage } from "./outbound-message.js";

/**
 * The tiny socket surface the hub core needs. The `ws` adapter implements it today; a Bun or
 * uWebSockets adapter can implement it later without touching the core.
 */
export interface HubSocket {
  /**
   * Sends one message. The same `message` may be sent to many sockets (fan-out): an adapter
   * that frames messages itself writes `message.framed()`, built once and shared; one that
   * does not sends `message.payload`. Writes keep their order with the adapter's own control
   * frames (pong, close). `onWritten`, when given, is called once the bytes left the process
   * (used only while the socket is backed up, so the fast path allocates nothing). Nothing is
   * sent once the closing handshake started.
   */
  send(message: OutboundMessage, onWritten?: () => void): void;
  /** Starts the closing handshake. */
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
