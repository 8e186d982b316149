// @vitest-environment happy-dom
/**
 * `useLiveQuery` against a real hub on port 0: events patch the cached data in order without
 * refetching, a burst renders a few times rather than once per event, and a query fetched
 * while its channel was on its way is fetched again once the channel is live.
 */
import type { Client } from "@switchyard/client";
import { Signal } from "@switchyard/server/testing";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Fragment, StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { HubServer, useIntegration } from "../../../client/test/hub-fixture.js";
import { SwitchyardProvider } from "../../src/index.js";
import { useLiveQuery } from "../../src/query/index.js";

// biome-ignore lint/correctness/useHookAtTopLevel: a Vitest fixture (cleanups after each test), not a React hook.
const integration = useIntegration();

interface Tally {
  readonly total: number;
}

interface Added {
  readonly event: "added";
  readonly data: { readonly n: number };
  readonly channel: string;
  readonly timestamp: number;
}

/** What a tally screen counts: fetches of the query, renders of the view. */
interface Counts {
  fetches: number;
  renders: number;
}

/** A tally that "added" events patch; pokes `signal` after every commit. */
function TallyView(props: {
  backend: { total: number };
  counts: Counts;
  signal: Signal;
  refetchOnSubscribed: boolean | undefined;
}) {
  const { backend, counts, signal, refetchOnSubscribed } = props;
  const { data, isFetching } = useLiveQuery({
    queryKey: ["tally"],
    queryFn: async (): Promise<Tally> => {
      counts.fetches += 1;
      return { total: backend.total };
    },
    channel: "tally",
    events: ["added"],
    patch: (tally: Tally, event: Added) => ({ total: tally.total + event.data.n }),
    ...(refetchOnSubscribed === undefined ? {} : { refetchOnSubscribed }),
  });
  counts.renders += 1;
  useEffect(() => signal.poke());
  return <p data-fetching={String(isFetching)}>{`total ${data?.total ?? "loading"}`}</p>;
}

/** Mounts a tally screen; its fetches and renders are counted. */
function mount(client: Client, refetchOnSubscribed?: boolean, strict = false) {
  const signal = new Signal();
  const counts: Counts = { fetches: 0, renders: 0 };
  const backend = { total: 0 };
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  const Wrapper = strict ? StrictMode : Fragment;
  root.render(
    <Wrapper>
      <SwitchyardProvider client={client}>
        <QueryClientProvider client={queryClient}>
          <TallyView
            backend={backend}
            counts={counts}
            signal={signal}
            refetchOnSubscribed={refetchOnSubscribed}
          />
        </QueryClientProvider>
      </SwitchyardProvider>
    </Wrapper>,
  );
  integration.disposers.push(() => {
    root.unmount();
    container.remove();
    queryClient.clear();
  });
  const text = () => container.textContent ?? "";
  const idle = () => container.querySelector("p")?.dataset.fetching === "false";
  return { signal, counts, backend, text, idle };
}

async function setup() {
  const server = await HubServer.start({
    allowAnonymous: true,
    defaultNamespace: { subscribe: "anyone", history: { size: 1000, ttl: 120_000 } },
  });
  integration.disposers.push(() => server.stop());
  const { client, signal, connected } = integration.connectClient(server.url);
  await signal.until(connected, "connected");
  return { server, client };
}

describe("useLiveQuery", () => {
  it("patches the data with every event in order, without refetching", async () => {
    const { server, client } = await setup();
    const screen = mount(client);
    // Fetched at mount, and again once the channel is live (events before that were missed).
    await screen.signal.until(
      () => screen.counts.fetches === 2 && screen.idle(),
      () => `two fetches: ${screen.counts.fetches} ${screen.text()} idle ${screen.idle()}`,
      5000,
    );
    screen.backend.total = 1000;
    const rendersBefore = screen.counts.renders;

    for (let n = 1; n <= 100; n++) void server.hub.publish("tally", "added", { n });
    await screen.signal.until(
      () => screen.text() === "total 5050",
      () => screen.text(),
    );
    console.log(`100 events patched the tally in ${screen.counts.renders - rendersBefore} renders`);
    expect(screen.counts.fetches).toBe(2);
    expect(screen.counts.renders - rendersBefore).toBeLessThan(20);
  });

  it("applies each event once under StrictMode (effects mounted twice)", async () => {
    const { server, client } = await setup();
    const screen = mount(client, undefined, true);
    await screen.signal.until(() => screen.counts.fetches === 2 && screen.idle(), "two fetches");
    for (let n = 1; n <= 100; n++) void server.hub.publish("tally", "added", { n });
    await screen.signal.until(
      () => screen.text() === "total 5050",
      () => screen.text(),
    );
    expect(screen.counts.fetches).toBe(2);
  });

  it("fetches once when told the query needs no refresh on subscribe", async () => {
    const { server, client } = await setup();
    const screen = mount(client, false);
    await screen.signal.until(() => screen.text() === "total 0" && screen.idle(), "the tally");
    const probe = client.subscribe("tally");
    probe.state.subscribe(screen.signal.poke);
    integration.disposers.push(() => probe.unsubscribe());
    await screen.signal.until(() => probe.state.getSnapshot().status === "subscribed", "live");
    await server.hub.publish("tally", "added", { n: 3 });
    await screen.signal.until(
      () => screen.text() === "total 3",
      () => screen.text(),
    );
    expect(screen.counts.fetches).toBe(1);
  });
});
