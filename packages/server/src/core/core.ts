import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Broker } from "../broker/broker.js";
import type { Authenticator } from "./auth/authenticator.js";
import type { SessionBindings } from "./auth/sessions.js";
import type { ConnectionContext } from "./connection.js";
import type { Guards } from "./guards.js";
import type { RpcHandler } from "./hub-api.js";
import type { Namespaces } from "./namespaces.js";
import type { AccessContext, HeartbeatOptions } from "./options.js";

export interface RpcEntry {
  schema: StandardSchemaV1 | undefined;
  handler: RpcHandler<unknown, unknown>;
}

/** The hub's internals shared by connections and request handlers. */
export interface HubCore extends ConnectionContext {
  readonly broker: Broker;
  readonly namespaces: Namespaces;
  readonly authenticator: Authenticator;
  /** Which session a connecting client joins (session ids bound to their identity). */
  readonly sessions: SessionBindings;
  readonly rpcs: Map<string, RpcEntry>;
  /** Fields features add to subscribe replies, by field name (`presence`). */
  readonly replyFields: Map<string, (context: AccessContext) => unknown>;
  readonly heartbeat: HeartbeatOptions;
  /** What features registered to take part in connects, subscribes, publishes and RPCs. */
  readonly guards: Guards;
}
