import type { Codec } from "@switchyard/protocol";
import { OutboundMessage } from "../transport/outbound-message.js";
import type { Connection } from "./connection.js";
import type { HeartbeatOptions } from "./options.js";

/**
 * One timer for all connections: sends heartbeat pings, closes connections whose pong is late,
 * that never sent `connect`, or whose token expired. A sweep over 50,000 connections costs
 * about a millisecond, far less than 50,000 timers.
 */
export class Heartbeat {
  private readonly timer: NodeJS.Timeout;
  /** One ping message per codec, framed once and shared by every connection. */
  private readonly pings = new Map<Codec, OutboundMessage>();

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    private readonly options: HeartbeatOptions & { connectTimeout: number },
    private readonly encode: (codec: Codec, frame: unknown) => Uint8Array,
  ) {
    const every = Math.min(options.interval, options.timeout, options.connectTimeout) / 4;
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(10, Math.min(1000, every)));
    this.timer.unref();
  }

  private ping(codec: Codec): OutboundMessage {
    let message = this.pings.get(codec);
    if (!message) {
      message = new OutboundMessage(this.encode(codec, { type: "ping" }), codec.binary);
      this.pings.set(codec, message);
    }
    return message;
  }

  sweep(now: number): void {
    const { interval, timeout, connectTimeout } = this.options;
    for (const connection of this.connections) {
      if (connection.state === "opening") {
        if (now - connection.lastPingAt > connectTimeout) connection.close("connect_timeout");
        continue;
      }
      if (connection.state !== "open") continue;
      if (connection.expiresAt !== null && now >= connection.expiresAt) {
        connection.expire();
      } else if (connection.pingSentAt !== 0) {
        if (now - connection.pingSentAt > timeout) connection.close("heartbeat_timeout");
      } else if (now - connection.lastPingAt >= interval) {
        connection.pinged(now);
        connection.enqueueShared(this.ping(connection.codec));
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
