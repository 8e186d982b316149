import type { Duplex } from "node:stream";
import { armCloseTimer, type ClosingSocket, closeReasonBytes } from "./close-grace.js";
import { frameMessage } from "./frame.js";
import { CLOSE_NO_CODE, FrameReader } from "./frame-reader.js";
import type { OutboundMessage } from "./outbound-message.js";
import type { HubSocket, SocketHandler, TransportHost } from "./socket.js";

/** What every socket of one builtin transport shares: the hub's host and the close timeout. */
export interface BuiltinSettings extends TransportHost {
  readonly closeTimeout: number;
}

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
/** The close timer runs. */
const TIMED = 16;

/** Reported when the TCP connection went away without a close frame (RFC 6455 §7.1.5). */
const CLOSE_ABNORMAL = 1006;
const OPCODE_CLOSE = 0x8;
const OPCODE_PONG = 0xa;
const FIN = 0x80;

const NO_HANDLER: SocketHandler = { message() {}, ping: () => false, closed() {} };

/**
 * One WebSocket connection of the builtin transport: the frame reader's state, the closing
 * handshake's state and the network socket, in one object.
 *
 * Closing (RFC 6455 §7): whoever closes first sends a close frame and the other echoes it;
 * then the server ends the TCP connection. A socket whose peer does not finish in time is
 * destroyed (close-grace.ts). The handler hears `closed(code)` once the socket is gone: the
 * peer's close code (1005 for none), or 1006 when no close frame arrived.
 */
export class BuiltinSocket extends FrameReader implements HubSocket, ClosingSocket {
  private handler: SocketHandler = NO_HANDLER;
  private state = 0;
  private closeCode = CLOSE_ABNORMAL;

  constructor(
    private readonly options: BuiltinSettings,
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
    message.wire ??= frameMessage(message.payload, message.binary);
    if (onWritten === undefined) this.socket.write(message.wire);
    else this.socket.write(message.wire, onWritten);
  }

  close(code: number, reason: string): void {
    if ((this.state & CLOSE_SENT) !== 0) return;
    this.sendClose(closeFrame(code, closeReasonBytes(reason)));
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

  /** True once the socket closed. */
  get gone(): boolean {
    return (this.state & GONE) !== 0;
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
    if ((this.state & CLOSE_SENT) === 0) this.sendClose(closeFrame(code, closeReasonBytes(reason)));
    this.end();
  }

  /** The peer ended its side of the TCP connection: we end ours. */
  peerEnded(): void {
    this.stopReading();
    this.end();
  }

  /** The socket closed: tells the handler, once. */
  socketClosed(): void {
    if ((this.state & GONE) !== 0) return;
    this.state |= GONE | ENDED;
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
    if ((this.state & (TIMED | GONE)) !== 0) return;
    this.state |= TIMED;
    armCloseTimer(this, this.options.closeTimeout);
  }
}

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER].read(chunk);
}

function onEnd(this: OwnedSocket): void {
  this[OWNER].peerEnded();
}

function onClose(this: OwnedSocket): void {
  this[OWNER].socketClosed();
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
