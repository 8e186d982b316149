// @vitest-environment happy-dom
import type { ReceivedEvent } from "@switchyard/client";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import {
  type RenderMode,
  SwitchyardProvider,
  useEventList,
  useLatestEvent,
  useSubscription,
} from "../src/index.js";
import { connect, countSubscriptions, mount, Signal, startHub } from "./harness.js";

function Feed({ channel, label }: { channel: string; label: string }) {
  const [texts, setTexts] = useState<string[]>([]);
  // A new onEvent (and a new events array) every render: must not resubscribe.
  const { status } = useSubscription(channel, {
    events: ["message"],
    onEvent: (event) => setTexts((all) => [...all, String(event.data)]),
  });
  return (
    <p>
      {label} {status}: {texts.join(",")}
    </p>
  );
}

function Secret({ errors }: { errors: Error[] }) {
  const { status } = useSubscription("secret:plans", { onError: (e) => errors.push(e) });
  return <p>{status}</p>;
}

/** Renders the latest progress and the last five, counting its renders. */
function Progress({ renders, mode }: { renders: { count: number }; mode: RenderMode }) {
  renders.count += 1;
  const progress = useLatestEvent("upload:1", "progress", { render: mode }) as
    | { n: number }
    | undefined;
  const list = useEventList("upload:1", { limit: 5, events: ["progress"], render: mode });
  const { status } = useSubscription("upload:1");
  const ns = list.map((e) => (e.data as { n: number }).n).join(",");
  return (
    <p>
      {status} last={progress?.n ?? "none"} list={ns}
    </p>
  );
}

function Log({ id, lists }: { id: number; lists: (readonly ReceivedEvent[])[] }) {
  const events = useEventList("log", { limit: 3 });
  lists[id] = events;
  return (
    <p>
      {id}:{events.map((e) => String(e.data)).join("|")}
    </p>
  );
}

function Ready({ channel }: { channel: string }) {
  return <p>{useSubscription(channel).status}</p>;
}

function Resettable({ resets }: { resets: string[] }) {
  const { status } = useSubscription("live:feed", { onReset: (info) => resets.push(info.reason) });
  const lines = useEventList("live:feed", { clearOnReset: true, render: "every" });
  return (
    <p>
      {status} resets={resets.length} lines={lines.map((e) => String(e.data)).join("|")}
    </p>
  );
}

describe("useSubscription", () => {
  it("opens one subscription per channel under StrictMode, shared by components, and keeps it across renders with new callbacks", async () => {
    const fixture = await startHub();
    const counts = countSubscriptions(fixture.hub);
    const client = connect(fixture.url);
    const view = mount(
      <SwitchyardProvider client={client}>
        <Feed channel="news" label="a" />
        <Feed channel="news" label="b" />
      </SwitchyardProvider>,
      { strict: true },
    );
    await view.text("a subscribed");
    await view.text("b subscribed");
    for (const n of [1, 2, 3]) await fixture.hub.publish("news", "message", `m${n}`);
    await fixture.hub.publish("news", "other", "ignored");
    await view.text("a subscribed: m1,m2,m3");
    await view.text("b subscribed: m1,m2,m3");
    expect(view.container.textContent).not.toContain("ignored");
    expect(counts.subscribes("news")).toBe(1);
    expect(counts.unsubscribes("news")).toBe(0);
  });

  it("leaves the channel after the grace period once the last component unmounts, and a remount within it takes the subscription over", async () => {
    const fixture = await startHub();
    const counts = countSubscriptions(fixture.hub);
    const client = connect(fixture.url);
    const tree = (label: string) => (
      <SwitchyardProvider client={client} unsubscribeGrace={300}>
        <Feed channel="news" label={label} />
      </SwitchyardProvider>
    );
    const first = mount(tree("first"));
    await first.text("first subscribed");
    // A route change: the old tree unmounts, a new one mounts the same channel at once.
    first.unmount();
    const second = mount(tree("second"));
    await second.text("second subscribed");
    await fixture.hub.publish("news", "message", "after remount");
    await second.text("after remount");
    expect(counts.subscribes("news")).toBe(1);
    expect(counts.unsubscribes("news")).toBe(0);

    second.unmount();
    await counts.signal.until(() => counts.unsubscribes("news") === 1, "the unsubscribe");
    expect(counts.subscribes("news")).toBe(1);
  });

  it("calls onReset when events were lost over a reconnect, and clearOnReset empties the list", async () => {
    // No history on live:*: a reconnect cannot recover what was missed.
    const fixture = await startHub({
      namespaces: { live: { subscribe: "anyone", history: false } },
    });
    const client = connect(fixture.url);
    const resets: string[] = [];
    const view = mount(
      <SwitchyardProvider client={client}>
        <Resettable resets={resets} />
      </SwitchyardProvider>,
    );
    await view.text("subscribed resets=0");
    await fixture.hub.publish("live:feed", "line", "before");
    await view.text("lines=before");
    fixture.destroySockets();
    await view.until(
      () => resets.length > 0 && (view.container.textContent ?? "").endsWith("lines="),
      () => `a reset in "${view.container.textContent}"`,
    );
    expect(resets[0]).toBe("not_recovered");
    await view.text("subscribed");
    await fixture.hub.publish("live:feed", "line", "after");
    await view.text("lines=after");
  });

  it("reports a refused subscription as failed", async () => {
    const fixture = await startHub({ namespaces: { secret: { subscribe: "nobody" } } });
    const client = connect(fixture.url);
    const errors: Error[] = [];
    const view = mount(
      <SwitchyardProvider client={client}>
        <Secret errors={errors} />
      </SwitchyardProvider>,
    );
    await view.text("failed");
    expect(errors[0]).toMatchObject({ code: "forbidden" });
  });
});

describe("useLatestEvent and useEventList", () => {
  /**
   * 1,000 events, each published once the client has the one before, so each arrives in its
   * own task (as a slow producer's would): renders counted with the given mode.
   */
  async function burst(mode: RenderMode): Promise<number> {
    const fixture = await startHub();
    const client = connect(fixture.url);
    const renders = { count: 0 };
    const view = mount(
      <SwitchyardProvider client={client}>
        <Progress renders={renders} mode={mode} />
      </SwitchyardProvider>,
    );
    await view.text("subscribed last=none");
    // The test's own listener on the same client: it sees each event when the hooks do.
    const signal = new Signal();
    let received = -1;
    client.subscribe("upload:1", {
      onEvent: (event) => {
        received = (event.data as { n: number }).n;
        signal.poke();
      },
    });
    const before = renders.count;
    for (let n = 0; n < 1000; n++) {
      await fixture.hub.publish("upload:1", "progress", { n });
      await signal.until(() => received === n, `event ${n}`);
    }
    await view.text("last=999 list=995,996,997,998,999");
    return renders.count - before;
  }

  it("render a burst of 1,000 events in a few renders (one per frame), with the last value and a bounded list", async () => {
    const renders = await burst("frame");
    console.log(`renders for 1,000 events, render "frame": ${renders}`);
    expect(renders).toBeGreaterThan(0);
    expect(renders).toBeLessThan(100);
  });

  it("render every event with render: every", async () => {
    const renders = await burst("every");
    console.log(`renders for 1,000 events, render "every": ${renders}`);
    expect(renders).toBeGreaterThanOrEqual(900);
  });

  it("share one list between components and drop the oldest events past the limit", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    const lists: (readonly ReceivedEvent[])[] = [];
    const view = mount(
      <SwitchyardProvider client={client}>
        <Ready channel="log" />
        <Log id={0} lists={lists} />
        <Log id={1} lists={lists} />
      </SwitchyardProvider>,
    );
    await view.text("subscribed");
    for (const text of ["a", "b", "c", "d"]) await fixture.hub.publish("log", "line", text);
    await view.text("0:b|c|d");
    await view.text("1:b|c|d");
    // One list, one identity: both components render the same array.
    expect(lists[0]).toBe(lists[1]);
  });
});
