import { SwitchyardError } from "@switchyard/protocol";
import type { ClientInfo, CoreHub } from "../../core/hub-api.js";
import { rpcFields } from "../../core/rpc-data.js";
import type { Actor, HubState, WriteInput } from "./state.js";

const invalid = (field: string, message: string) =>
  new SwitchyardError("invalid_data", `Field '${field}' ${message}`, { field });

function nameOf(body: Record<string, unknown>): string {
  if (typeof body.name !== "string") throw invalid("name", "must be a document name");
  return body.name;
}

function ifVersionOf(body: Record<string, unknown>): { ifVersion?: number } {
  const ifVersion = body.ifVersion;
  if (ifVersion === undefined) return {};
  if (typeof ifVersion !== "number" || !Number.isSafeInteger(ifVersion) || ifVersion < 0) {
    throw invalid("ifVersion", "must be a document version (an integer ≥ 0)");
  }
  return { ifVersion };
}

/**
 * Parses the fields of one write (`state.write` and `PATCH /api/state/{name}`): `set` an object
 * of keys to values, `delete` an array of keys, `ifVersion` an integer.
 */
export function parseWrite(body: Record<string, unknown>): WriteInput {
  const input: { set?: Record<string, unknown>; delete?: string[]; ifVersion?: number } = {
    ...ifVersionOf(body),
  };
  if (body.set !== undefined) {
    if (typeof body.set !== "object" || body.set === null || Array.isArray(body.set)) {
      throw invalid("set", "must be an object of keys to values");
    }
    input.set = body.set as Record<string, unknown>;
  }
  if (body.delete !== undefined) {
    if (!Array.isArray(body.delete) || !body.delete.every((key) => typeof key === "string")) {
      throw invalid("delete", "must be an array of keys");
    }
    input.delete = body.delete;
  }
  return input;
}

/** A client as a writer: its user, or its client id when anonymous. */
export function clientActor(client: ClientInfo): Actor {
  // An anonymous client's writes go on its session's undo stack: a reconnect (a new client
  // id, the same browser session) can still undo them.
  const user = client.userId ?? `$session:${client.sessionId}`;
  return { by: client.userId ?? client.clientId, user, client };
}

/**
 * Registers the RPCs of synced state:
 * - `state.get {name}` → the document (read rule);
 * - `state.write {name, set?, delete?, ifVersion?}` → `{version, changes}` (write rules);
 * - `state.preset {name, preset, ifVersion?}` → `{version, changes}`;
 * - `state.undo {name}` → `{undone, version, changes, conflicts}`: the caller's last write.
 */
export function registerStateRpcs(hub: CoreHub, state: HubState): void {
  hub.rpc("state.get", (data, { client }) => state.get(nameOf(rpcFields(data, ["name"])), client));

  hub.rpc("state.write", (data, { client }) => {
    const body = rpcFields(data, ["name", "set", "delete", "ifVersion"]);
    return state.write(nameOf(body), parseWrite(body), clientActor(client));
  });

  hub.rpc("state.preset", (data, { client }) => {
    const body = rpcFields(data, ["name", "preset", "ifVersion"]);
    if (typeof body.preset !== "string") throw invalid("preset", "must be a preset name");
    return state.preset(
      nameOf(body),
      body.preset,
      clientActor(client),
      ifVersionOf(body).ifVersion,
    );
  });

  hub.rpc("state.undo", (data, { client }) =>
    state.undo(nameOf(rpcFields(data, ["name"])), clientActor(client)),
  );
}
