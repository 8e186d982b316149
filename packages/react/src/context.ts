/**
 * The React context of the provider: the client and the registry of its shared stores.
 */
import type { Client, Contract } from "@switchyard/client";
import { createContext, useContext } from "react";
import type { StoreRegistry } from "./registry.js";

/** What `SwitchyardProvider` gives the components below it. */
export interface SwitchyardContextValue {
  /**
   * The client, or null while there is none: during server rendering and hydration when the
   * provider creates its own, and until its effect has created it.
   */
  readonly client: Client | null;
  /** The shared stores of `client`, or null with it. */
  readonly registry: StoreRegistry | null;
}

/** The provider's context (null outside a `SwitchyardProvider`). */
export const SwitchyardContext = createContext<SwitchyardContextValue | null>(null);

/**
 * The provider's context — the client and the registry of its shared stores — for bindings
 * built on the hooks' stores (components, the TanStack Query integration). Throws outside a
 * `SwitchyardProvider`.
 *
 * @example
 * function useChannelStatus(channel: string) {
 *   const { registry } = useSwitchyardContext();
 *   useEffect(() => {
 *     if (!registry) return;
 *     const lease = registry.retainChannel(channel);
 *     const stop = lease.value.on("reset", () => queryClient.invalidateQueries({ queryKey: [channel] }));
 *     return () => {
 *       stop();
 *       lease.release();
 *     };
 *   }, [registry, channel]);
 * }
 */
export function useSwitchyardContext(): SwitchyardContextValue {
  const value = useContext(SwitchyardContext);
  if (value === null) {
    throw new Error("Switchyard hooks must be used inside a <SwitchyardProvider>");
  }
  return value;
}

/**
 * The provider's client: null during server rendering, and until a provider given `options`
 * has created it. Throws outside a `SwitchyardProvider`.
 *
 * @example
 * function PublishButton() {
 *   const client = useSwitchyard();
 *   return (
 *     <button disabled={!client} onClick={() => client?.publish("chat:lobby", "message", { text: "hi" })}>
 *       Say hi
 *     </button>
 *   );
 * }
 */
export function useSwitchyard<C extends Contract = Contract>(): Client<C> | null {
  return useSwitchyardContext().client as Client<C> | null;
}
