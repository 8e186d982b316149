import type {
  ChannelEvent,
  ChannelName,
  Client,
  Contract,
  EventData,
  EventName,
  RpcInput,
  RpcMethod,
  RpcOutput,
} from "@switchyard/client";
import { useSwitchyard } from "./context.js";
import { type UseEventListOptions, useEventList } from "./use-event-list.js";
import { type UseLatestEventOptions, useLatestEvent } from "./use-latest-event.js";
import { type RpcView, useRpc } from "./use-rpc.js";
import {
  type SubscriptionStatusView,
  type UseSubscriptionOptions,
  useSubscription,
} from "./use-subscription.js";

/** The hooks whose types come from a contract, as {@link createHooks} returns them. */
export interface ContractHooks<C extends Contract> {
  /** {@link useSwitchyard}, typed by the contract. */
  useSwitchyard(): Client<C> | null;
  /** {@link useSubscription}: channel names, event names and payloads from the contract. */
  useSubscription<Ch extends ChannelName<C>>(
    channel: Ch | null,
    options?: UseSubscriptionOptions<ChannelEvent<C, Ch>>,
  ): SubscriptionStatusView;
  /** {@link useLatestEvent}: the event's payload type from the contract. */
  useLatestEvent<Ch extends ChannelName<C>, const E extends EventName<C, Ch>>(
    channel: Ch | null,
    event: E,
    options?: UseLatestEventOptions,
  ): EventData<C, Ch, E> | undefined;
  /** {@link useEventList}: events discriminated by name, payloads from the contract. */
  useEventList<Ch extends ChannelName<C>>(
    channel: Ch | null,
    options?: UseEventListOptions<ChannelEvent<C, Ch>>,
  ): readonly ChannelEvent<C, Ch>[];
  /** {@link useRpc}: input and result from the contract. */
  useRpc<M extends RpcMethod<C>>(method: M): RpcView<RpcInput<C, M>, RpcOutput<C, M>>;
}

/**
 * The channel and RPC hooks typed by a `defineContract` contract: channel names, event names,
 * payloads, RPC inputs and results infer at every call, without annotations. The contract is
 * used for its type only; the hooks are the package's own.
 *
 * @example
 * // switchyard.ts
 * export const { useSubscription, useLatestEvent, useEventList, useRpc } = createHooks(contract);
 *
 * // upload.tsx
 * function Upload({ id }: { id: string }) {
 *   const progress = useLatestEvent(`job:${id}`, "progress"); // { percent: number } | undefined
 *   const { run } = useRpc("math.add"); // run({ a: 1, b: 2 })
 *   return <progress max={100} value={progress?.percent ?? 0} />;
 * }
 */
export function createHooks<const C extends Contract>(_contract: C): ContractHooks<C> {
  return {
    useSwitchyard: useSwitchyard as ContractHooks<C>["useSwitchyard"],
    useSubscription: useSubscription as ContractHooks<C>["useSubscription"],
    useLatestEvent: useLatestEvent as ContractHooks<C>["useLatestEvent"],
    useEventList: useEventList as ContractHooks<C>["useEventList"],
    useRpc: useRpc as ContractHooks<C>["useRpc"],
  };
}
