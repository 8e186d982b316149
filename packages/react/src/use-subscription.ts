import type {
  ChannelEvent,
  ChannelName,
  Contract,
  ReceivedEvent,
  ResetInfo,
  SubscriptionState,
} from "@switchyard/client";
import { useEffect, useMemo } from "react";
import { useSwitchyardContext } from "./context.js";
import { useLatest, useSelectedSnapshot, useShared } from "./store-bridge.js";
import { subscriptionBefore } from "./without-client.js";

/** Options of {@link useSubscription}. Callbacks may change every render. */
export interface UseSubscriptionOptions<Ev extends ReceivedEvent = ReceivedEvent> {
  /**
   * Only these events reach `onEvent`. The channel's one shared subscription receives every
   * event; this filters what this hook sees.
   * @default every event
   */
  events?: readonly Ev["event"][];
  /**
   * Called for every event, in order, exactly once (no render: update a ref, a cache or a
   * store here). The latest function is called; a new one each render does not resubscribe.
   * @default none
   */
  onEvent?: (event: Ev) => void;
  /**
   * Continuity was lost (missed events are gone): reload what the events would have updated.
   * @default none
   */
  onReset?: (info: ResetInfo) => void;
  /**
   * The hub refused the subscription.
   * @default none
   */
  onError?: (error: Error) => void;
}

/**
 * What {@link useSubscription} renders: the subscription's status, without the position that
 * moves with every event (so events do not re-render the component).
 */
export type SubscriptionStatusView = Pick<
  SubscriptionState,
  "channel" | "status" | "conflated" | "error"
>;

function statusOf(state: SubscriptionState): SubscriptionStatusView {
  return {
    channel: state.channel,
    status: state.status,
    conflated: state.conflated,
    error: state.error,
  };
}

function sameStatus(a: SubscriptionStatusView, b: SubscriptionStatusView): boolean {
  return (
    a.channel === b.channel &&
    a.status === b.status &&
    a.conflated === b.conflated &&
    a.error === b.error
  );
}

/**
 * Subscribes to a channel while the component is mounted and returns the subscription's status
 * (`subscribing`, `subscribed`, `failed`, and the hub's error); events themselves go to
 * `onEvent` and re-render nothing. Components that subscribe to the same
 * channel share one subscription; the last to unmount leaves the channel after the provider's
 * grace period. Pass `null` to subscribe to nothing.
 *
 * @example
 * function ChatLog({ room }: { room: string }) {
 *   const [lines, setLines] = useState<string[]>([]);
 *   const { status } = useSubscription(`chat:${room}`, {
 *     events: ["message"],
 *     onEvent: (event) => setLines((all) => [...all, String(event.data)]),
 *     onReset: () => setLines([]),
 *   });
 *   return <ul aria-busy={status !== "subscribed"}>{lines.map((l, i) => <li key={i}>{l}</li>)}</ul>;
 * }
 */
export function useSubscription<
  C extends Contract = Contract,
  Ch extends ChannelName<C> = ChannelName<C>,
>(
  channel: Ch | null,
  options: UseSubscriptionOptions<ChannelEvent<C, Ch>> = {},
): SubscriptionStatusView {
  const { registry } = useSwitchyardContext();
  const handlers = useLatest(options);
  useEffect(() => {
    if (!registry || channel === null) return;
    let lease: ReturnType<typeof registry.retainChannel>;
    try {
      lease = registry.retainChannel(channel);
    } catch {
      return; // the client is closed
    }
    const subscription = lease.value;
    const stops = [
      subscription.on("event", (event) => {
        const { events, onEvent } = handlers.current;
        if (!onEvent || (events && !(events as readonly string[]).includes(event.event))) return;
        onEvent(event as ChannelEvent<C, Ch>);
      }),
      subscription.on("reset", (info) => handlers.current.onReset?.(info)),
      subscription.on("error", (error) => handlers.current.onError?.(error)),
    ];
    return () => {
      for (const stop of stops) stop();
      lease.release();
    };
  }, [registry, channel, handlers]);

  const shared = useShared(
    channel === null ? null : registry,
    (r) => r.channel(channel as string).state,
    (r) => {
      const lease = r.retainChannel(channel as string);
      return { value: lease.value.state, release: lease.release };
    },
  );
  const server = useMemo(() => statusOf(subscriptionBefore(channel ?? "")), [channel]);
  return useSelectedSnapshot(shared, server, statusOf, sameStatus);
}
