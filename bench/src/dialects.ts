import { type Codec, jsonCodec, msgpackCodec, type ServerFrame } from "@switchyard/protocol";
import type { EventData } from "./control.js";

/** What a client session calls back into the load generator. */
export interface ClientHooks {
  send(data: string | Uint8Array): void;
  /** One event arrived. */
  event(data: EventData): void;
  /** Connected and every subscription confirmed. */
  ready(): void;
  fail(reason: string): void;
}

/** The wire conversation of one client with one target. */
export interface ClientSession {
  /** The WebSocket is open. */
  open(): void;
  message(raw: Buffer, binary: boolean): void;
}

/** How the same light client speaks to one kind of server. */
export interface Dialect {
  /** Path and query of the WebSocket URL. */
  readonly path: string;
  /** Subprotocols offered at the upgrade. */
  readonly protocols: string[];
  session(channels: readonly string[], hooks: ClientHooks): ClientSession;
}

/** Switchyard protocol v1: connect, subscribe, events (maybe batched), ping → pong. */
function switchyard(codec: Codec): Dialect {
  const encode = (frame: object) => codec.encode(frame);
  const pong = encode({ type: "pong" });
  return {
    path: "/ws",
    protocols: [codec.subprotocol],
    session(channels, hooks) {
      let waiting = channels.length;
      const handle = (frame: ServerFrame) => {
        switch (frame.type) {
          case "event":
            hooks.event(frame.data as EventData);
            return;
          case "reply":
            if ("error" in frame && frame.error) {
              hooks.fail(`${frame.error.code}: ${frame.error.message}`);
            } else if (frame.id === 1) {
              // Requests other than connect are refused until connect succeeded.
              channels.forEach((channel, index) => {
                hooks.send(encode({ type: "subscribe", id: index + 2, channel }));
              });
            } else if (--waiting === 0) {
              hooks.ready();
            }
            return;
          case "ping":
            hooks.send(pong);
            return;
          case "error":
            hooks.fail(`${frame.error.code}: ${frame.error.message}`);
            return;
        }
      };
      return {
        open() {
          hooks.send(encode({ type: "connect", id: 1 }));
        },
        message(raw) {
          const decoded = codec.decode(raw) as ServerFrame | ServerFrame[];
          if (Array.isArray(decoded)) {
            for (const frame of decoded) handle(frame);
          } else {
            handle(decoded);
          }
        },
      };
    },
  };
}

/** The ws floor and Bun: `{"type":"subscribe"}` → `{"type":"subscribed"}`, then events. */
const plain: Dialect = {
  path: "/",
  protocols: [],
  session(channels, hooks) {
    let waiting = channels.length;
    return {
      open() {
        for (const channel of channels) hooks.send(JSON.stringify({ type: "subscribe", channel }));
      },
      message(raw) {
        const frame = JSON.parse(raw.toString()) as { type: string; data?: EventData };
        if (frame.type === "event") {
          hooks.event(frame.data as EventData);
        } else if (frame.type === "subscribed" && --waiting === 0) {
          hooks.ready();
        }
      },
    };
  },
};

/**
 * Socket.IO's wire format spoken by a raw WebSocket: Engine.IO v4 open `0{…}`, namespace
 * connect `40` → `40{…}`, emits `42["name",…]` (with an ack id: `42<id>[…]` → `43<id>[…]`),
 * Engine.IO ping `2` → pong `3`.
 */
const socketIo: Dialect = {
  path: "/socket.io/?EIO=4&transport=websocket",
  protocols: [],
  session(channels, hooks) {
    let waiting = channels.length;
    return {
      open() {},
      message(raw) {
        const text = raw.toString();
        const type = text.charCodeAt(0) - 48;
        if (type === 4) {
          // Engine.IO message carrying a Socket.IO packet
          const packet = text.charCodeAt(1) - 48;
          if (packet === 2) {
            const [name, data] = JSON.parse(text.slice(2)) as [string, EventData];
            if (name === "tick") hooks.event(data);
          } else if (packet === 3) {
            if (--waiting === 0) hooks.ready();
          } else if (packet === 0) {
            channels.forEach((channel, index) => {
              hooks.send(`42${index}${JSON.stringify(["subscribe", channel])}`);
            });
          } else if (packet === 4) {
            hooks.fail(`connect_error ${text.slice(2)}`);
          }
        } else if (type === 2) {
          hooks.send("3");
        } else if (type === 0) {
          hooks.send("40");
        }
      },
    };
  },
};

/** Client dialect names. */
export type DialectName = "switchyard-json" | "switchyard-msgpack" | "plain" | "socketio";

export const DIALECTS: Record<DialectName, Dialect> = {
  "switchyard-json": switchyard(jsonCodec),
  "switchyard-msgpack": switchyard(msgpackCodec),
  plain,
  socketio: socketIo,
};
