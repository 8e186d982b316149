import { frameMessage } from "./frame.js";

/**
 * One encoded message on its way to one or many clients. Fan-out queues the same instance
 * for every subscriber using the same codec, so the payload is encoded once and the wire
 * frame is built at most once (on first use) and then written to every socket as is.
 */
export class OutboundMessage {
  private frame: Buffer | undefined;

  constructor(
    /** The encoded message (one frame of our protocol, or a batch of them). */
    readonly payload: Uint8Array,
    /** Sent as a binary WebSocket message (MessagePack) rather than text (JSON). */
    readonly binary: boolean,
  ) {}

  /** The complete WebSocket frame of this message, built once and shared. */
  framed(): Buffer {
    this.frame ??= frameMessage(this.payload, this.binary);
    return this.frame;
  }

  /** Payload bytes, the figure queue caps count. */
  get length(): number {
    return this.payload.length;
  }
}
