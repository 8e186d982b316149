import { type Client, type ClientOptions, type Contract, createClient } from "@switchyard/client";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { SwitchyardContext, type SwitchyardContextValue } from "./context.js";
import { registryOf } from "./registry.js";

/** Props of {@link SwitchyardProvider}: a client, or the options to create one. */
export type SwitchyardProviderProps<C extends Contract = Contract> = {
  readonly children?: ReactNode;
  /**
   * How long a channel (or job, state, presence store) that no component uses any more stays
   * subscribed, in milliseconds, so a remount (StrictMode, a route change) takes it over.
   * Read when the provider first sees its client.
   * @default 1000
   */
  readonly unsubscribeGrace?: number;
} & (
  | {
      /** The app's client: the provider uses it and never closes it. */
      readonly client: Client<C>;
      readonly options?: undefined;
    }
  | {
      readonly client?: undefined;
      /**
       * Options of a client the provider creates after it mounts (never on the server) and
       * closes when it unmounts. Read once: give the provider a new `key` to start over.
       */
      readonly options: ClientOptions<C>;
    }
);

/**
 * Gives the components below it a Switchyard client: the one passed as `client` (the app owns
 * it), or one it creates from `options` in the browser and closes on unmount. Rendering on the
 * server creates nothing: the hooks show a disconnected state, as they do while hydrating.
 *
 * @example
 * import { SwitchyardProvider, useConnection } from "@switchyard/react";
 *
 * function App() {
 *   return (
 *     <SwitchyardProvider options={{ url: "wss://hub.example.com/ws", getToken: fetchToken }}>
 *       <Status />
 *     </SwitchyardProvider>
 *   );
 * }
 *
 * function Status() {
 *   const { status } = useConnection();
 *   return <p>{status}</p>;
 * }
 */
export function SwitchyardProvider<C extends Contract = Contract>(
  props: SwitchyardProviderProps<C>,
): ReactNode {
  const { children, unsubscribeGrace } = props;
  const [created, setCreated] = useState<Client | null>(null);
  const options = useRef(props.options);
  const owned = useRef<{ client: Client; closing: ReturnType<typeof setTimeout> | undefined }>(
    undefined,
  );

  const wantsOwn = props.client === undefined;
  useEffect(() => {
    if (!wantsOwn || !options.current) return;
    let own = owned.current;
    if (own) {
      // StrictMode's simulated unmount and remount: keep the client rather than reconnect.
      clearTimeout(own.closing);
      own.closing = undefined;
    } else {
      own = {
        client: createClient(options.current as ClientOptions) as Client,
        closing: undefined,
      };
      owned.current = own;
      setCreated(own.client);
    }
    const current = own;
    return () => {
      current.closing = setTimeout(() => {
        if (owned.current === current) owned.current = undefined;
        registryOf(current.client).clear();
        current.client.close();
      }, 0);
    };
  }, [wantsOwn]);

  const client = (props.client as Client | undefined) ?? created;
  const value = useMemo<SwitchyardContextValue>(
    () => ({
      client,
      registry: client
        ? registryOf(client, unsubscribeGrace === undefined ? {} : { grace: unsubscribeGrace })
        : null,
    }),
    [client, unsubscribeGrace],
  );
  return <SwitchyardContext.Provider value={value}>{children}</SwitchyardContext.Provider>;
}
