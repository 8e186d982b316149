import type { ChannelEvent, ChannelName, Contract, ReceivedEvent } from "@switchyard/client";
import type { QueryClient, QueryKey } from "@tanstack/react-query";

/**
 * Declarative rules from channel events to the TanStack Query cache: which queries an event
 * makes stale (`invalidate`), how an event patches cached data (`update`), and which keys to
 * refetch when the channel's history is lost (`covers`).
 */

interface RuleBase<Ev extends ReceivedEvent, Ch extends string> {
  /**
   * The channel to follow (`equipment`, `` `job:${id}` ``), subscribed while the rule is used;
   * or a personal channel the connection joins by itself (`` `$user:${userId}` ``, `$broadcast`).
   */
  readonly channel: Ch;
  /**
   * Only these events drive the rule.
   * @default every event of the channel but the hub's own (`$presence`)
   */
  readonly events?: readonly Ev["event"][];
  /**
   * Patches the cache for one event (`queryClient.setQueryData`). Called for every event in
   * order, never collapsed; the calls of one frame (16 ms) are batched into one render.
   * @default no patch
   */
  readonly update?: (event: Ev, queryClient: QueryClient) => void;
}

/**
 * A rule whose `invalidate` is a fixed list of keys: those keys are also the ones refetched
 * after a reset, unless `covers` says otherwise.
 */
export interface StaticRule<Ev extends ReceivedEvent = ReceivedEvent, Ch extends string = string>
  extends RuleBase<Ev, Ch> {
  /** Keys invalidated by every event (prefix match, as `invalidateQueries`). */
  readonly invalidate: readonly QueryKey[];
  /**
   * Keys invalidated when the channel resets (events were lost) or first becomes live.
   * @default the `invalidate` keys
   */
  readonly covers?: readonly QueryKey[];
}

/**
 * A rule whose keys depend on the event (`["equipment", event.data.id]`) or that only patches
 * data: it must say which keys it covers, since the lost events cannot tell.
 */
export interface DynamicRule<Ev extends ReceivedEvent = ReceivedEvent, Ch extends string = string>
  extends RuleBase<Ev, Ch> {
  /**
   * Keys invalidated for one event (prefix match, as `invalidateQueries`).
   * @default no invalidation
   */
  readonly invalidate?: (event: Ev) => readonly QueryKey[];
  /**
   * Every key the rule can touch, as prefixes (`["equipment"]` covers `["equipment", 7]`):
   * invalidated when the channel resets (events were lost) or first becomes live.
   */
  readonly covers: readonly QueryKey[];
}

/** One rule: what events on one channel do to the query cache. */
export type LiveRule<Ev extends ReceivedEvent = ReceivedEvent, Ch extends string = string> =
  | StaticRule<Ev, Ch>
  | DynamicRule<Ev, Ch>;

/** A rule typed by channel `Ch` of contract `C`: its events and their data are known. */
export type ContractRule<C extends Contract, Ch extends ChannelName<C>> = LiveRule<
  ChannelEvent<C, Ch>,
  Ch
>;

/**
 * Returns the rule builder of a contract (`defineContract`): each rule's `events`,
 * `invalidate` and `update` are typed by its channel. The rules it builds are plain
 * {@link LiveRule}s for `useLiveInvalidation`.
 *
 * @example
 * const rule = defineRules(contract);
 * const rules = [
 *   rule({
 *     channel: "equipment",
 *     events: ["equipment_changed"],
 *     invalidate: (event) => [["equipment"], ["equipment", event.data.id]],
 *     covers: [["equipment"]],
 *   }),
 * ];
 */
export function defineRules<const C extends Contract>(
  _contract: C,
): <const Ch extends ChannelName<C>>(rule: ContractRule<C, Ch>) => LiveRule {
  // The rule's functions take the channel's events: erased to the untyped rule the hook runs.
  return (rule) => rule as unknown as LiveRule;
}

/** The keys a rule invalidates for `event`. */
export function keysForEvent(rule: LiveRule, event: ReceivedEvent): readonly QueryKey[] {
  const { invalidate } = rule;
  if (invalidate === undefined) return [];
  return typeof invalidate === "function" ? invalidate(event) : invalidate;
}

/** The keys a rule covers: refetched after a reset. */
export function coveredKeys(rule: LiveRule): readonly QueryKey[] {
  if (rule.covers) return rule.covers;
  return typeof rule.invalidate === "function" ? [] : (rule.invalidate ?? []);
}

/**
 * True when the event is one the rule follows: one of its `events`, or without them any event
 * but the hub's own (`$presence` joins and leaves are not changes of the app's data).
 */
export function follows(rule: LiveRule, event: string): boolean {
  return rule.events === undefined ? !event.startsWith("$") : rule.events.includes(event);
}
