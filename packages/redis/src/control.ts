import { SwitchyardError } from "@switchyard/protocol";
import { decodeValue, encodeValue } from "./encoding.js";
import type { RedisKeys } from "./keys.js";
import type { RedisLink } from "./redis-link.js";

/** A node-to-node control message (for example "disconnect user X on every node"). */
export interface ControlMessage {
  /** What to do; the receiving code decides which types it knows. */
  type: string;
  /** Arguments of the message. */
  data: unknown;
  /** The node that sent it. */
  from: string;
}

/**
 * Node-to-node control messages over a reserved Redis pub/sub channel that every node
 * subscribes to at start. Delivery is at most once: a node whose subscriber connection is down
 * when a message is sent never gets it (the sender learns how many nodes received it).
 */
export interface ControlChannel {
  /**
   * Sends a message to every node, this one included. Resolves with the number of nodes that
   * received it (as Redis counts its subscribers).
   */
  send(type: string, data?: unknown): Promise<number>;
  /** Calls `handler` for every control message; returns a function that stops it. */
  onMessage(handler: (message: ControlMessage) => void): () => void;
}

/** The control channel of a Redis broker, and the listener that feeds it. */
export function createControlChannel(
  link: RedisLink,
  keys: RedisKeys,
  nodeId: string,
  onError: (error: unknown) => void,
): ControlChannel & { listener: (message: Buffer) => void } {
  const handlers = new Set<(message: ControlMessage) => void>();
  return {
    async send(type, data = null) {
      const payload = encodeValue({ type, data, from: nodeId });
      return link.client().publish(keys.control(), payload);
    },

    onMessage(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },

    listener(bytes) {
      let message: ControlMessage;
      try {
        const decoded = decodeValue(bytes) as Partial<ControlMessage> | null;
        if (typeof decoded?.type !== "string" || typeof decoded.from !== "string") {
          throw new SwitchyardError("internal_error", "malformed control message");
        }
        message = { type: decoded.type, data: decoded.data, from: decoded.from };
      } catch (error) {
        onError(error);
        return;
      }
      for (const handler of handlers) {
        try {
          handler(message);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
