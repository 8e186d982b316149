import type { Feature } from "../../core/hub-api.js";
import { DeclaredDocuments } from "./declared.js";
import { StateFile } from "./file-store.js";
import { type StateHandle, stateHandle } from "./handle.js";
import { stateRoutes } from "./http.js";
import { stateNamespace } from "./namespace.js";
import { stateOpenApi } from "./openapi.js";
import type { StateOptions } from "./options.js";
import { stateChannel } from "./policy.js";
import { registerStateRpcs } from "./rpc.js";
import { HubState } from "./state.js";

/** What {@link stateFeature} returns: the handle of a declared document, `hub.state(name)`. */
export type StateApi = (name: string) => StateHandle;

/**
 * Synced state as a feature of the hub (docs/state.md): the `state` namespace (a declared
 * document per channel `state:<name>`, its whole document in every subscribe reply, `changes`
 * and `reload` events), the `state.get`, `state.write`, `state.preset` and `state.undo` RPCs,
 * the `/api/state` routes of the HTTP API, file-backed documents, and `hub.state(name)`.
 * `createHub` installs it with `options.state`.
 *
 * @example
 * const state = hub.use(stateFeature({ documents: { settings: { allowUnknownKeys: true } } }));
 * await state("settings").set("physics.damping", 0.4);
 */
export function stateFeature(options: StateOptions = {}): Feature<StateApi> {
  return {
    name: "state",
    install(host) {
      const { hub, logger } = host;
      const declared = new DeclaredDocuments(options.documents ?? {});
      const state = new HubState(
        declared,
        hub.broker.kv,
        (name, event, data) => hub.publish(stateChannel(name), event, data),
        logger,
      );
      const files = new Map<string, StateFile>();
      for (const [name, policy] of declared.withFiles()) {
        const file = new StateFile(name, policy, state, logger);
        files.set(name, file);
        state.loadFirst(name, file.start());
      }
      const reloaded = (name: string) => files.get(name)?.trust();
      host.namespace("state", stateNamespace(state));
      registerStateRpcs(hub, state);
      host.routes(stateRoutes(state, reloaded), stateOpenApi);
      host.stats(() => ({ ...state.counters }));
      host.onClose(async () => {
        await state.close();
        await Promise.all([...files.values()].map((file) => file.close()));
      });
      return (name) => stateHandle(state, name, reloaded);
    },
  };
}
