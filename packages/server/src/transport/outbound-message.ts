/**
 * One encoded message on its way to one or many sockets. Fan-out queues the same instance for
 * every subscriber using the same codec, so the payload is encoded once; a transport that
 * frames messages itself builds the wire form once too, on the first socket it writes the
 * message to, keeps it in `wire` and writes the same bytes to every other socket.
 */
export class OutboundMessage {
  /**
   * The transport's wire form of this message (the builtin transport's complete WebSocket
   * frame), built on first use and shared. Written and read by the transport only.
   */
  wire: Buffer | undefined = undefined;

  constructor(
    /** The encoded message (one frame of our protocol, or a batch of them). */
    readonly payload: Uint8Array,
    /** Sent as a binary WebSocket message (MessagePack) rather than text (JSON). */
    readonly binary: boolean,
  ) {}

  /** Payload bytes, the figure queue caps count. */
  get length(): number {
    return this.payload.length;
  }
}
