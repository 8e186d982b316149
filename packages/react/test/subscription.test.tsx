// @vitest-environment happy-dom
import type { ReceivedEvent } from "@switchyard/client";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { SwitchyardProvider, useEventList, useLatestEvent, useSubscription } from "../src/index.js";
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

  it("reports a refused subscription as failed", async () => {
    const fixture = await startHub({ namespaces: { secret: { subscribe: "nobody" } } });
    const client = connect(fixture.url);
    const errors: Error[] = [];
    function Secret() {
      const { status } = useSubscription("secret:plans", { onError: (e) => errors.push(e) });
      return <p>{status}</p>;
    }
    const view = mount(
      <SwitchyardProvider client={client}>
        <Secret />
      </SwitchyardProvider>,
    );
    await view.text("failed");
    expect(errors[0]).toMatchObject({ code: "forbidden" });
  });
});

describe("useLatestEvent and useEventList", () => {
  it("render a burst of 1,000 events in a few batched renders, with the last value and a bounded list", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    let renders = 0;
    function Progress() {
      renders += 1;
      const progress = useLatestEvent("upload:1", "progress") as { n: number } | undefined;
      const list = useEventList("upload:1", { limit: 5, events: ["progress"] });
      const { status } = useSubscription("upload:1");
      return (
        <p>
          {status} last={progress?.n ?? "none"} list=
          {list.map((e) => (e.data as { n: number }).n).join(",")}
        </p>
      );
    }
    const view = mount(
      <SwitchyardProvider client={client}>
        <Progress />
      </SwitchyardProvider>,
    );
    await view.text("subscribed last=none");
    const before = renders;
    await Promise.all(
      Array.from({ length: 1000 }, (_, n) => fixture.hub.publish("upload:1", "progress", { n })),
    );
    await view.text("last=999 list=995,996,997,998,999");
    const burst = renders - before;
    console.log(`renders for 1,000 events: ${burst}`);
    expect(burst).toBeGreaterThan(0);
    expect(burst).toBeLessThan(100);
  });

  it("renders every event with render: every", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    const seen: number[] = [];
    function Ticker() {
      const tick = useLatestEvent("ticks", "tick", { render: "every" }) as number | undefined;
      if (tick !== undefined && seen.at(-1) !== tick) seen.push(tick);
      const { status } = useSubscription("ticks");
      return (
        <p>
          {status} tick={tick ?? "none"}
        </p>
      );
    }
    const view = mount(
      <SwitchyardProvider client={client}>
        <Ticker />
      </SwitchyardProvider>,
    );
    await view.text("subscribed tick=none");
    for (const n of [1, 2, 3, 4, 5]) {
      await fixture.hub.publish("ticks", "tick", n);
      await view.text(`tick=${n}`);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("shares one list between components and drops the oldest events past the limit", async () => {
    const fixture = await startHub();
    const client = connect(fixture.url);
    const lists: (readonly ReceivedEvent[])[] = [];
    const signal = new Signal();
    function Log({ id }: { id: number }) {
      const events = useEventList("log", { limit: 3 });
      lists[id] = events;
      signal.poke();
      return (
        <p>
          {id}:{events.map((e) => String(e.data)).join("|")}
        </p>
      );
    }
    function Ready() {
      return <p>{useSubscription("log").status}</p>;
    }
    const view = mount(
      <SwitchyardProvider client={client}>
        <Ready />
        <Log id={0} />
        <Log id={1} />
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
