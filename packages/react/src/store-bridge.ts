/**
 * The bridge every store hook uses: `useSyncExternalStore` over a shared store of the
 * registry, held (refcounted) while the component is mounted, with a fixed snapshot for server
 * rendering and hydration.
 */
import type { Readable } from "@switchyard/client";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useReducer,
  useRef,
  useSyncExternalStore,
} from "react";
import type { Lease, StoreRegistry } from "./registry.js";

function noop(): void {}
const unsubscribeNothing = () => noop;

/**
 * The store under a registry key, found or created during render (null without a client, or
 * when the client is closed); `retain` holds it while mounted.
 */
export interface SharedStore<S> {
  readonly store: S | null;
  readonly retain: (() => Lease<S>) | null;
}

/** Finds the store with `get` (null without a registry or when the client is closed). */
export function useShared<S>(
  registry: StoreRegistry | null,
  get: (registry: StoreRegistry) => S,
  retain: (registry: StoreRegistry) => Lease<S>,
): SharedStore<S> {
  if (!registry) return { store: null, retain: null };
  let store: S | null;
  try {
    store = get(registry);
  } catch {
    // The client was closed: nothing to follow.
    return { store: null, retain: null };
  }
  return { store, retain: () => retain(registry) };
}

/**
 * The snapshot of `store`, held while mounted; `server` on the server, while hydrating and
 * without a store. `server` must keep its identity across renders.
 */
export function useStoreSnapshot<T>(shared: SharedStore<Readable<T>>, server: T): T {
  const { store } = shared;
  const retainRef = useRef(shared.retain);
  retainRef.current = shared.retain;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const subscribe = useCallback(
    (notify: () => void) => {
      const retain = retainRef.current;
      if (!store || !retain) return noop;
      const lease = retain();
      // The render's store was disposed before this commit (a render held back past the
      // grace period): render again with the one now held.
      if (lease.value !== store) queueMicrotask(rerender);
      const stop = store.subscribe(notify);
      return () => {
        stop();
        lease.release();
      };
    },
    [store],
  );
  const getSnapshot = store ? store.getSnapshot : () => server;
  return useSyncExternalStore(store ? subscribe : unsubscribeNothing, getSnapshot, () => server);
}

/**
 * A part of the snapshot of `store`, as {@link useStoreSnapshot}: re-renders only when
 * `isEqual` says the part changed. A new `select` (memoize it) selects again; `isEqual` is
 * read when a snapshot changes.
 */
export function useSelectedSnapshot<T, R>(
  shared: SharedStore<Readable<T>>,
  server: R,
  select: (snapshot: T) => R,
  isEqual: (a: R, b: R) => boolean,
): R {
  const { store } = shared;
  const equal = useRef(isEqual);
  equal.current = isEqual;
  const selected = useMemo(() => {
    if (!store) return null;
    let source: T | undefined;
    let last: R | undefined;
    const getSnapshot = (): R => {
      const snapshot = store.getSnapshot();
      if (last !== undefined && snapshot === source) return last;
      const next = select(snapshot);
      source = snapshot;
      if (last === undefined || !equal.current(last, next)) last = next;
      return last;
    };
    return { getSnapshot, subscribe: store.subscribe };
  }, [store, select]);
  const { retain } = shared;
  const retainSelected = useMemo(() => {
    if (!retain || !selected) return null;
    return (): Lease<Readable<R>> => {
      const lease = retain();
      // The same store stands for its selection; another one tells the bridge to render again.
      const value = lease.value === store ? selected : (lease.value as unknown as Readable<R>);
      return { value, release: lease.release };
    };
  }, [retain, selected, store]);
  return useStoreSnapshot({ store: selected, retain: retainSelected }, server);
}

/**
 * A layout effect in the browser, a plain effect on the server (where neither runs): keeps
 * callbacks in refs up to date before any event can reach them, without React's server warning.
 */
export const useIsomorphicLayoutEffect =
  typeof document === "undefined" ? useEffect : useLayoutEffect;

/** A ref that always holds the latest `value` (callbacks held without resubscribing). */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
