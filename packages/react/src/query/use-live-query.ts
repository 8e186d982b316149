import type { ReceivedEvent } from "@switchyard/client";
import {
  type DefaultError,
  type QueryKey,
  type UseQueryOptions,
  type UseQueryResult,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type { LiveRule } from "./rules.js";
import { type LiveInvalidationOptions, useLiveInvalidation } from "./use-live-invalidation.js";

/** Options of {@link useLiveQuery}: those of `useQuery`, and the channel that patches it. */
export interface LiveQueryOptions<
  TQueryFnData = unknown,
  TError = DefaultError,
  TData = TQueryFnData,
  TQueryKey extends QueryKey = QueryKey,
  Ev extends ReceivedEvent = ReceivedEvent,
> extends UseQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
    Omit<LiveInvalidationOptions, "queryClient"> {
  /** The channel whose events patch the query's data. */
  readonly channel: string;
  /**
   * Only these events patch the data.
   * @default every event of the channel
   */
  readonly events?: readonly Ev["event"][];
  /**
   * The data after one event, from the data before it (never called before the first fetch
   * has data). Called for every event in order; the patches of one frame render once.
   */
  readonly patch: (data: TQueryFnData, event: Ev) => TQueryFnData;
}

/**
 * A query whose cached data is patched by channel events instead of refetched: `useQuery`
 * plus a rule that applies `patch` to each event and refetches the query when the channel
 * resets (events were lost) or first becomes live.
 *
 * @example
 * function Equipment({ id }: { id: number }) {
 *   const { data } = useLiveQuery({
 *     queryKey: ["equipment", id],
 *     queryFn: () => fetch(`/api/equipment/${id}`).then((response) => response.json()),
 *     channel: `equipment:${id}`,
 *     events: ["status_changed"],
 *     patch: (item: Item, event) => ({ ...item, status: (event.data as { status: string }).status }),
 *   });
 *   return <p>{data?.status ?? "loading"}</p>;
 * }
 */
export function useLiveQuery<
  TQueryFnData = unknown,
  TError = DefaultError,
  TData = TQueryFnData,
  TQueryKey extends QueryKey = QueryKey,
  Ev extends ReceivedEvent = ReceivedEvent,
>(
  options: LiveQueryOptions<TQueryFnData, TError, TData, TQueryKey, Ev>,
): UseQueryResult<TData, TError> {
  const { channel, events, patch, schedule, refetchOnSubscribed, ...query } = options;
  const queryClient = useQueryClient();
  const { queryKey } = query;
  const rule: LiveRule<Ev> = {
    channel,
    ...(events ? { events } : {}),
    covers: [queryKey],
    update: (event, client) =>
      client.setQueryData<TQueryFnData>(queryKey, (data) =>
        data === undefined ? data : patch(data, event),
      ),
  };
  useLiveInvalidation([rule as unknown as LiveRule], {
    ...(schedule ? { schedule } : {}),
    ...(refetchOnSubscribed === undefined ? {} : { refetchOnSubscribed }),
    queryClient,
  });
  return useQuery(query, queryClient);
}
