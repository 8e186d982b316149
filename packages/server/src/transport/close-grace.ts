/**
 * How long a closing socket lives when its peer does not finish the closing handshake — in
 * one place for every transport (RFC 6455 §7.1.1: the server ends TCP, and destroys the socket
 * of a peer that does not answer).
 */

/**
 * How long the peer has to answer our close frame once it has left the process (the socket's
 * write buffer is empty), before the socket is destroyed.
 */
const CLOSE_GRACE_MS = 3_000;

/**
 * The default longest life of a closing socket. A close frame may wait behind bytes the peer
 * has not read (a client that stopped reading); within this time a client that reads again
 * reaches it and learns its code. Meanwhile the socket holds only what was already handed to
 * it, which the hub's queue cap bounds. The `ws` library's own default.
 */
export const DEFAULT_CLOSE_TIMEOUT = 30_000;

/** What the close timer needs of a socket. */
export interface ClosingSocket {
  /** Bytes handed to the socket and not written to the network yet (0: the close frame left). */
  readonly bufferedAmount: number;
  /** True once the socket is gone (the timer then stops). */
  readonly gone: boolean;
  /** Destroys the socket at once. */
  terminate(): void;
}

/**
 * Starts the close timer of a socket whose close frame was just written: it is destroyed
 * `CLOSE_GRACE_MS` (at most `timeout`) after the close frame left the process, or `timeout`
 * after now when it never could leave. Checked every grace period, without listeners.
 */
export function armCloseTimer(socket: ClosingSocket, timeout = DEFAULT_CLOSE_TIMEOUT): void {
  const grace = Math.min(CLOSE_GRACE_MS, timeout);
  const deadline = Date.now() + timeout;
  setTimeout(check, grace, socket, grace, deadline, socket.bufferedAmount === 0).unref();
}

function check(socket: ClosingSocket, grace: number, deadline: number, flushed: boolean): void {
  if (socket.gone) return;
  const now = Date.now();
  if (flushed || now >= deadline) {
    socket.terminate();
    return;
  }
  const wait = Math.min(grace, deadline - now);
  setTimeout(check, wait, socket, grace, deadline, socket.bufferedAmount === 0).unref();
}

/** A close reason may hold at most 123 bytes of UTF-8 (125 less the code). */
const MAX_REASON = 123;

/** The UTF-8 bytes of a close reason, cut to 123 bytes at a character boundary. */
export function closeReasonBytes(reason: string): Buffer {
  const bytes = Buffer.from(reason);
  if (bytes.length <= MAX_REASON) return bytes;
  // Back to the start of the character the cut falls in (continuation bytes are 10xxxxxx).
  let end = MAX_REASON;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
