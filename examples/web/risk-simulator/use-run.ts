import type { ReceivedEvent, Subscription, SubscriptionStatus } from "@switchyard/client";
import { useSwitchyardContext } from "@switchyard/react";
import { useEffect, useRef, useState } from "react";
import {
  applyEvent,
  type CatchUp,
  EMPTY_RUN,
  feedKey,
  mergeCatchUp,
} from "../../risk-simulator/run.js";

/** What {@link useRun} renders. */
export interface RunView {
  run: CatchUp;
  status: SubscriptionStatus;
  /** True once a subscribe reply brought the run so far (or said there is none). */
  caughtUp: boolean;
  /** Keys of the feed items that arrived live (not in a catch-up): highlighted. */
  live: ReadonlySet<string>;
  /** Events this view received from the hub (its catch-ups aside). */
  received: number;
}

/**
 * A simulation's run, kept up to date: each subscribe reply's catch-up (the hub's snapshot of
 * the run so far: on the first subscribe, after a reload, after a reset) merged with the live
 * events, overlapping or not.
 *
 * Without `events`, it holds the provider's shared subscription to the channel (every event).
 * With `events`, it subscribes on its own with that filter, which the hub applies: a
 * "defaults only" view is sent nothing else.
 */
export function useRun(
  channel: string | null,
  options: { events?: readonly string[]; onLiveEvent?: (event: ReceivedEvent) => void } = {},
): RunView {
  const { client, registry } = useSwitchyardContext();
  const [view, setView] = useState<RunView>(() => initial());
  const onLiveEvent = useRef(options.onLiveEvent);
  onLiveEvent.current = options.onLiveEvent;
  const filter = options.events?.join(",");

  useEffect(() => {
    setView(initial());
    if (!client || !registry || channel === null) return;
    let subscription: Subscription;
    let release: () => void;
    try {
      if (filter === undefined) {
        const lease = registry.retainChannel(channel);
        subscription = lease.value;
        release = lease.release;
      } else {
        subscription = client.subscribe(channel, { events: filter.split(",") });
        release = () => subscription.unsubscribe();
      }
    } catch {
      return; // the client is closed
    }
    let current = initial();
    let seen: unknown;
    const commit = (next: RunView) => {
      current = next;
      setView(next);
    };
    const catchUp = (snapshot: unknown) => {
      if (snapshot === undefined || snapshot === seen) return;
      seen = snapshot;
      commit({ ...current, run: mergeCatchUp(current.run, snapshot as CatchUp), caughtUp: true });
    };
    const follow = () => {
      const state = subscription.state.getSnapshot();
      catchUp(state.snapshot);
      if (state.status !== current.status) commit({ ...current, status: state.status });
    };
    follow();
    const stops = [
      subscription.state.subscribe(follow),
      subscription.on("event", (event) => {
        const run = applyEvent(current.run, event.event, event.data);
        let live = current.live;
        if (run !== current.run && run.feed.length !== current.run.feed.length) {
          const added = run.feed.find((item) => !current.run.feed.includes(item));
          if (added) live = new Set([...live, feedKey(added)]);
          onLiveEvent.current?.(event);
        }
        commit({ ...current, run, live, received: current.received + 1 });
      }),
      subscription.on("reset", (info) => catchUp(info.snapshot)),
    ];
    return () => {
      for (const stop of stops) stop();
      release();
    };
  }, [client, registry, channel, filter]);

  return view;
}

function initial(): RunView {
  return { run: EMPTY_RUN, status: "subscribing", caughtUp: false, live: new Set(), received: 0 };
}
