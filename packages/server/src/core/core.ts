import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Codec, RequestFrame } from "@switchyard/protocol";
import type { Broker } from "../broker/broker.js";
import type { Authenticator } from "./auth/authenticator.js";
import type { SessionBindings } from "./auth/sessions.js";
import type { Connection } from "./connection.js";
import type { Emitter } from "./emitter.js";
import type { FlushScheduler } from "./flush-scheduler.js";
import type { HubEvents, RpcHandler } from "./hub-api.js";
import type { ConnectionLimits } from "./limits/connection-limits.js";
import type { Namespaces } from "./namespaces.js";
import type { HeartbeatOptions, LimitOptions, Logger } from "./options.js";
import type { Registry } from "./registry.js";
import type { HubCounters } from "./stats.js";

export interface RpcEntry {
  schema: StandardSchemaV1 | undefined;
  handler: RpcHandler<unknown, unknown>;
}

/** The hub's internals shared by connections and request handlers. */
export interface HubCore {
  readonly broker: Broker;
  readonly registry: Registry<Connection>;
  readonly namespaces: Namespaces;
  readonly authenticator: Authenticator;
  /** Which session a connecting client joins (session ids bound to their identity). */
  readonly sessions: SessionBindings;
  readonly connectionLimits: ConnectionLimits;
  readonly counters: HubCounters;
  readonly scheduler: FlushScheduler;
  readonly emitter: Emitter<HubEvents>;
  readonly logger: Logger;
  readonly rpcs: Map<string, RpcEntry>;
  /** The socket of `connection` closed: it leaves the hub (called once, by the connection). */
  left(connection: Connection): void;
  readonly limits: LimitOptions;
  readonly heartbeat: HeartbeatOptions;
  /** Handles one request of a connection (requests.ts); throws a SwitchyardError to refuse it. */
  handle(connection: Connection, frame: RequestFrame): Promise<void>;
  /** Encodes a frame to bytes with `codec` (the one place frames become bytes). */
  encode(codec: Codec, frame: unknown): Uint8Array;
}
