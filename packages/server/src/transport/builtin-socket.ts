import { isUtf8 } from "node:buffer";
import type { Duplex } from "node:stream";
import { CLOSE_NO_CODE, FrameReader } from "./frame-reader.js";
import type { OutboundMessage } from "./outbound-message.js";
import type { HubSocket, SocketHandler } from "./socket.js";
import { DEFAULT_CLOSE_TIMEOUT, type TransportOptions } from "./upgrade.js";

/**
 * Where a network socket keeps its {@link BuiltinSocket}: the socket's listeners are shared
 * by every connection and find their wrapper here, so a connection costs no closures.
 */
const OWNER = Symbol("switchyard.socket");

interface OwnedSocket extends Duplex {
  [OWNER]: BuiltinSocket;
}

/** Bits of {@link BuiltinSocket}'s state; 0 is open. */
const CLOSE_SENT = 1;
const CLOSE_RECEIVED = 2;
/** `end()` or `destroy()` was called: nothing more may be written. */
const ENDED = 4;
/** The socket closed and the handler heard of it. */
const GONE = 8;

/** Reported when the TCP connection went away without a close frame (RFC 6455 §7.1.5). */
const CLOSE_ABNORMAL = 1006;
/** A close reason takes at most 123 bytes (125 less the code). */
const MAX_REASON = 123;
const OPCODE_CLOSE = 0x8;
const OPCODE_PONG = 0xa;
const FIN = 0x80;

const NO_HANDLER: SocketHandler = { message() {}, ping: () => false, closed() {} };

/**
 * One WebSocket connection of the builtin transport: the frame reader's state, the closing
 * handshake's state and the network socket, in one object.
 *
 * Closing (RFC 6455 §7): whoever closes first sends a close frame and the other echoes it;
 * then the server ends the TCP connection. A socket that does not finish within
 * `closeTimeout` is destroyed. The handler hears `closed(code)` once the socket is gone: the
 * peer's close code (1005 for none), or 1006 when no close frame arrived.
 */
export class BuiltinSocket extends FrameReader implements HubSocket {
  private handler: SocketHandler = NO_HANDLER;
  private state = 0;
  private closeCode = CLOSE_ABNORMAL;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly options: TransportOptions,
    private readonly socket: Duplex,
  ) {
    super();
  }

  protected get maxPayload(): number {
    return this.options.maxPayload;
  }

  /** Starts reading the socket for `handler`, from the bytes that came with the upgrade on. */
  start(handler: SocketHandler, head: Buffer): void {
    this.handler = handler;
    const socket = this.socket as OwnedSocket;
    socket[OWNER] = this;
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onClose);
    if (head.length > 0) this.read(head);
  }

  send(message: OutboundMessage, onWritten?: () => void): void {
    // After a close frame (ours or the peer's) the protocol allows no more data frames.
    if (this.state !== 0) return;
    if (onWritten === undefined) this.socket.write(message.framed());
    else this.socket.write(message.framed(), onWritten);
  }

  close(code: number, reason: string): void {
    if ((this.state & CLOSE_SENT) !== 0) return;
    this.sendClose(closeFrame(code, reasonBytes(reason)));
    // Now the peer answers with its close frame, and we end the connection.
    this.armTimer();
  }

  terminate(): void {
    this.state |= ENDED;
    this.stopReading();
    this.socket.destroy();
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  protected onMessage(data: Buffer, binary: boolean): void {
    this.handler.message(data, binary);
  }

  protected onPing(payload: Buffer): void {
    if (this.state === 0 && this.handler.ping(payload.length)) {
      this.socket.write(controlFrame(OPCODE_PONG, payload));
    }
  }

  protected onClose(code: number, reason: Buffer): void {
    this.state |= CLOSE_RECEIVED;
    this.closeCode = code;
    // The echo carries the peer's code and reason; a close without a code gets an empty one.
    if ((this.state & CLOSE_SENT) === 0) {
      this.sendClose(
        code === CLOSE_NO_CODE ? controlFrame(OPCODE_CLOSE, reason) : closeFrame(code, reason),
      );
    }
    this.end();
  }

  protected onProtocolError(code: number, reason: string): void {
    this.options.onError(new Error(`Invalid WebSocket frame: ${reason} (closing with ${code})`));
    if ((this.state & CLOSE_SENT) === 0) this.sendClose(closeFrame(code, reasonBytes(reason)));
    this.end();
  }

  /** The peer ended its side of the TCP connection: we end ours. */
  peerEnded(): void {
    this.stopReading();
    this.end();
  }

  /** The socket closed: tells the handler, once. */
  gone(): void {
    if ((this.state & GONE) !== 0) return;
    this.state |= GONE | ENDED;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopReading();
    this.handler.closed(this.closeCode);
  }

  private sendClose(frame: Buffer): void {
    if ((this.state & ENDED) !== 0) return;
    this.state |= CLOSE_SENT;
    this.socket.write(frame);
  }

  /** Ends the TCP connection (the server closes first, RFC 6455 §7.1.1). */
  private end(): void {
    if ((this.state & ENDED) !== 0) return;
    this.state |= ENDED;
    this.socket.end();
    // A peer that never closes its side would keep the socket half-open.
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timer !== undefined || (this.state & GONE) !== 0) return;
    this.timer = setTimeout(
      destroySocket,
      this.options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      this.socket,
    );
    this.timer.unref();
  }
}

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER].read(chunk);
}

function onEnd(this: OwnedSocket): void {
  this[OWNER].peerEnded();
}

function onClose(this: OwnedSocket): void {
  this[OWNER].gone();
}

function destroySocket(socket: Duplex): void {
  socket.destroy();
}

/** An unmasked, final control frame. */
function controlFrame(opcode: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame[0] = FIN | opcode;
  frame[1] = payload.length;
  frame.set(payload, 2);
  return frame;
}

/** A close frame with a code and a reason. */
function closeFrame(code: number, reason: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + reason.length);
  frame[0] = FIN | OPCODE_CLOSE;
  frame[1] = 2 + reason.length;
  frame.writeUInt16BE(code, 2);
  frame.set(reason, 4);
  return frame;
}

/** The UTF-8 bytes of a close reason, cut to 123 bytes at a character boundary. */
function reasonBytes(reason: string): Buffer {
  let bytes = Buffer.from(reason);
  if (bytes.length <= MAX_REASON) return bytes;
  bytes = bytes.subarray(0, MAX_REASON);
  while (!isUtf8(bytes)) bytes = bytes.subarray(0, bytes.length - 1);
  return bytes;
}
