import type { Client, ReceivedEvent, Subscription } from "@switchyard/client";
import { PERSONAL } from "@switchyard/protocol";
import { type QueryClient, type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useSwitchyardContext } from "../context.js";
import { CacheBatch, type FrameScheduler, nextFrame, sharedBatch } from "./cache-batch.js";
import { coveredKeys, follows, keysForEvent, type LiveRule } from "./rules.js";

/** Options of {@link useLiveInvalidation}. */
export interface LiveInvalidationOptions {
  /**
   * When the patches and invalidations of a burst of events are applied: each key is
   * invalidated once per flush, however many events asked for it. By default every hook of a
   * query client shares one batch flushed after one frame (16 ms); a hook given its own
   * scheduler batches alone.
   * @default one frame: a 16 ms timer (`nextFrame`)
   */
  readonly schedule?: FrameScheduler;
  /**
   * Invalidate the covered keys when a channel this hook subscribed becomes live for the
   * first time: a query fetched while the subscription was on its way may have missed an
   * event. Costs one refetch per covered query on the first mount of a channel (none when
   * another component already holds the channel). Turn off when the queries are fetched only
   * after the channel is live.
   * @default true
   */
  readonly refetchOnSubscribed?: boolean;
  /**
   * The query client whose cache the rules drive.
   * @default the one of the nearest `QueryClientProvider`
   */
  readonly queryClient?: QueryClient;
}

/** The channels the rules follow, sorted and without duplicates. */
function channelsOf(rules: readonly LiveRule[]): string[] {
  return [...new Set(rules.map((rule) => rule.channel))].sort();
}

/** Applies the rules of `channel` to one event. */
function onEvent(
  rules: readonly LiveRule[],
  event: ReceivedEvent,
  batch: CacheBatch,
  queryClient: QueryClient,
): void {
  for (const rule of rules) {
    if (rule.channel !== event.channel || !follows(rule, event.event)) continue;
    const { update } = rule;
    if (update) batch.update(() => update(event, queryClient));
    batch.invalidate(keysForEvent(rule, event));
  }
}

/** Every key the rules of `channel` cover. */
function covered(rules: readonly LiveRule[], channel: string): QueryKey[] {
  return rules.filter((rule) => rule.channel === channel).flatMap((rule) => coveredKeys(rule));
}

/** Calls `live` once, the first time `subscription` goes from another status to subscribed. */
function onFirstLive(subscription: Subscription, live: () => void): () => void {
  if (subscription.state.getSnapshot().status === "subscribed") return () => {};
  const stop = subscription.state.subscribe(() => {
    if (subscription.state.getSnapshot().status !== "subscribed") return;
    stop();
    live();
  });
  return stop;
}

/**
 * True for the personal channels (`$user:<id>`, `$session:<id>`, `$client:<id>`, `$broadcast`):
 * joined by the connection itself, heard through `client.personal`, never subscribed.
 */
function isPersonal(channel: string): boolean {
  return (
    channel === PERSONAL.broadcast ||
    [PERSONAL.user, PERSONAL.session, PERSONAL.client].some((prefix) => channel.startsWith(prefix))
  );
}

/**
 * Follows a personal channel: its events and resets come through `client.personal`; it is
 * joined when the connection is, so "first live" is the connection's first `connected`.
 */
function followPersonal(
  client: Client,
  channel: string,
  handlers: { event(event: ReceivedEvent): void; reset(): void; firstLive?: () => void },
): () => void {
  const stops = [
    client.personal.on("event", (event) => {
      if (event.channel === channel) handlers.event(event);
    }),
    client.personal.on("reset", (info) => {
      if (info.channel === channel) handlers.reset();
    }),
  ];
  const { firstLive } = handlers;
  if (firstLive && client.connection.getSnapshot().status !== "connected") {
    const stop = client.connection.subscribe(() => {
      if (client.connection.getSnapshot().status !== "connected") return;
      stop();
      firstLive();
    });
    stops.push(stop);
  }
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * Keeps the TanStack Query cache in step with channel events, declaratively: each rule says
 * which keys an event invalidates and how it patches cached data. Events of one frame are
 * coalesced (1,000 events asking for `["equipment"]` invalidate it once); when a channel
 * resets (events were lost: history gone, `recovered: false`), every key its rules cover is
 * invalidated, so no screen is left stale. Channels are shared with the other hooks through
 * the provider's registry. A rule may follow a personal channel (`$user:alice`, `$session:…`,
 * `$broadcast`): the connection joins those by itself, and a reset after a reconnect past their
 * history invalidates the covered keys the same way. The rules may be a new array on every
 * render: only the set of channels decides when to subscribe.
 *
 * @example
 * function App() {
 *   useLiveInvalidation([
 *     {
 *       channel: "equipment",
 *       events: ["equipment_changed"],
 *       invalidate: (event) => [["equipment"], ["equipment", (event.data as { id: number }).id]],
 *       covers: [["equipment"]],
 *     },
 *     { channel: "sessions", invalidate: [["sessions"], ["my-sessions"]] },
 *   ]);
 *   return <EquipmentList />;
 * }
 */
export function useLiveInvalidation(
  rules: readonly LiveRule[],
  options: LiveInvalidationOptions = {},
): void {
  const queryClient = useQueryClient(options.queryClient);
  const { registry } = useSwitchyardContext();
  const latest = useRef(rules);
  const scheduler = useRef(options.schedule ?? nextFrame);
  useEffect(() => {
    latest.current = rules;
    scheduler.current = options.schedule ?? nextFrame;
  });
  const ownSchedule = options.schedule !== undefined;
  const refetchOnSubscribed = options.refetchOnSubscribed ?? true;
  const channels = channelsOf(rules).join("\u0000");

  useEffect(() => {
    if (!registry || channels === "") return;
    // On the default frames, every hook of the query client shares one batch: one invalidation
    // per key per frame for the whole app. A scheduler of the hook's own gets a batch of its own.
    const batch = ownSchedule
      ? new CacheBatch(queryClient, (flush) => scheduler.current(flush))
      : sharedBatch(queryClient);
    const stops: (() => void)[] = [];
    for (const channel of channels.split("\u0000")) {
      const refresh = () => batch.invalidate(covered(latest.current, channel));
      if (isPersonal(channel)) {
        stops.push(
          followPersonal(registry.client, channel, {
            event: (event) => onEvent(latest.current, event, batch, queryClient),
            reset: refresh,
            firstLive: refetchOnSubscribed ? refresh : undefined,
          }),
        );
        continue;
      }
      const lease = registry.retainChannel(channel);
      const subscription = lease.value;
      stops.push(() => lease.release());
      stops.push(
        subscription.on("event", (event) => onEvent(latest.current, event, batch, queryClient)),
      );
      stops.push(subscription.on("reset", refresh));
      if (refetchOnSubscribed) stops.push(onFirstLive(subscription, refresh));
    }
    return () => {
      for (const stop of stops.reverse()) stop();
      // What the last frame asked for still applies: other screens may show those keys (the
      // shared batch applies it at the end of the frame).
      if (ownSchedule) batch.flush();
    };
  }, [registry, channels, queryClient, refetchOnSubscribed, ownSchedule]);
}
