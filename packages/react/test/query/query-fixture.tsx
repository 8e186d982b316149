/**
 * What the DOM tests of `@switchyard/react/query` share: a "backend" whose rows count their
 * changes, a screen of queries over it rendered into the document, and a watch on the query
 * cache counting invalidations and fetches per key.
 */
import type { Client } from "@switchyard/client";
import { Signal } from "@switchyard/server/testing";
import {
  hashKey,
  type QueryClient,
  QueryClientProvider,
  type QueryKey,
  useQuery,
} from "@tanstack/react-query";
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { SwitchyardProvider } from "../../src/index.js";
import type { LiveInvalidationOptions, LiveRule } from "../../src/query/index.js";
import { useLiveInvalidation } from "../../src/query/index.js";

/** The keys of the screen's queries; `unrelated` is covered by no rule. */
export const KEYS = {
  list: ["equipment"],
  one: ["equipment", 1],
  two: ["equipment", 2],
  sessions: ["sessions"],
  unrelated: ["unrelated"],
} as const satisfies Record<string, QueryKey>;

export type KeyName = keyof typeof KEYS;

/** Rows a backend would serve: each number is how often the row changed. */
export type Backend = Record<KeyName, number>;

/** Counts per query key, poking `signal` on every change of the cache. */
export class CacheWatch {
  readonly signal = new Signal();
  readonly invalidations = new Map<string, number>();
  readonly fetches = new Map<string, number>();
  readonly #client: QueryClient;

  constructor(client: QueryClient) {
    this.#client = client;
    client.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "invalidate") {
        bump(this.invalidations, event.query.queryHash);
      }
      this.signal.poke();
    });
  }

  /** Records a fetch of `key` (called by the query functions). */
  fetched(key: QueryKey): void {
    bump(this.fetches, hashKey(key));
  }

  /** Invalidations of each named key. */
  invalidationCounts(): Record<KeyName, number> {
    return countsOf(this.invalidations);
  }

  /** Fetches of each named key. */
  fetchCounts(): Record<KeyName, number> {
    return countsOf(this.fetches);
  }

  reset(): void {
    this.invalidations.clear();
    this.fetches.clear();
  }

  /** Resolves once no query is fetching and every query has data. */
  settled(): Promise<void> {
    const cache = this.#client.getQueryCache();
    return this.signal.until(
      () =>
        this.#client.isFetching() === 0 &&
        Object.values(KEYS).every(
          (key) => cache.find({ queryKey: key, exact: true })?.state.status === "success",
        ),
      "the queries to settle",
    );
  }
}

function bump(counts: Map<string, number>, hash: string): void {
  counts.set(hash, (counts.get(hash) ?? 0) + 1);
}

function countsOf(counts: Map<string, number>): Record<KeyName, number> {
  const entries = Object.entries(KEYS).map(([name, key]) => [name, counts.get(hashKey(key)) ?? 0]);
  return Object.fromEntries(entries) as Record<KeyName, number>;
}

function Row({ name, backend, watch }: { name: KeyName; backend: Backend; watch: CacheWatch }) {
  const key = KEYS[name];
  const { data } = useQuery({
    queryKey: key,
    queryFn: async () => {
      watch.fetched(key);
      return backend[name];
    },
  });
  return <li data-key={name}>{`${name}: ${data ?? "loading"}`}</li>;
}

function Screen(props: {
  backend: Backend;
  watch: CacheWatch;
  rules: readonly LiveRule[];
  options: LiveInvalidationOptions;
}): ReactNode {
  useLiveInvalidation(props.rules, props.options);
  return (
    <ul>
      {(Object.keys(KEYS) as KeyName[]).map((name) => (
        <Row key={name} name={name} backend={props.backend} watch={props.watch} />
      ))}
    </ul>
  );
}

/** What the screen shows, one line per query. */
export function screenText(container: HTMLElement): string[] {
  return [...container.querySelectorAll("li")].map((item) => item.textContent ?? "");
}

/**
 * Renders the screen of every key under the providers; returns its container and unmount.
 * Every change of its DOM pokes `watch.signal`.
 */
export function renderScreen(options: {
  client: Client;
  queryClient: QueryClient;
  backend: Backend;
  watch: CacheWatch;
  rules: readonly LiveRule[];
  live?: LiveInvalidationOptions;
}): { container: HTMLElement; unmount: () => void } {
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  root.render(
    <SwitchyardProvider client={options.client}>
      <QueryClientProvider client={options.queryClient}>
        <Screen
          backend={options.backend}
          watch={options.watch}
          rules={options.rules}
          options={options.live ?? {}}
        />
      </QueryClientProvider>
    </SwitchyardProvider>,
  );
  // Waits on the screen's text re-check on every change of the DOM, not only of the cache.
  const observer = new MutationObserver(options.watch.signal.poke);
  observer.observe(container, { subtree: true, childList: true, characterData: true });
  return {
    container,
    unmount: () => {
      observer.disconnect();
      root.unmount();
      container.remove();
    },
  };
}
