import { describe, expect, it } from "vitest";
import type { BrokerEvent } from "../../src/broker/broker.js";
import { createMemoryBroker } from "../../src/broker/memory-broker.js";
import { Registry } from "../../src/core/registry.js";
import { createSubscription, type Subscription } from "../../src/core/subscription.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function setup() {
  const broker = createMemoryBroker();
  await broker.start(() => {});
  const registry = new Registry<string>(broker, silent as never);
  const namespace = { name: "room" } as never;
  const subscription = (): Subscription => createSubscription("room:1", namespace, undefined);
  const visited = (): [string, Subscription][] => {
    const out: [string, Subscription][] = [];
    registry.entry("room:1")?.forEach(function (this: typeof out, sub, client) {
      this.push([client, sub]);
    }, out);
    return out;
  };
  return { broker, registry, subscription, visited };
}

describe("Registry", () => {
  it("holds one subscriber, then many, then one again, visiting each once", async () => {
    const { broker, registry, subscription, visited } = await setup();
    const [a, b, c] = [subscription(), subscription(), subscription()];
    await registry.add("alice", a);
    expect(visited()).toEqual([["alice", a]]);
    await registry.add("bob", b);
    await registry.add("carol", c);
    expect(visited()).toEqual([
      ["alice", a],
      ["bob", b],
      ["carol", c],
    ]);
    expect(registry.remove("alice", "room:1")).toBe(true);
    expect(registry.remove("alice", "room:1")).toBe(false);
    expect(registry.remove("carol", "room:1")).toBe(true);
    expect(visited()).toEqual([["bob", b]]);
    expect(registry.entry("room:1")?.clients()).toEqual(["bob"]);
    expect(registry.subscriptions).toBe(1);
    await broker.close();
  });

  it("replaces a subscriber's subscription without counting it twice", async () => {
    const { broker, registry, subscription, visited } = await setup();
    const [first, second] = [subscription(), subscription()];
    await registry.add("alice", first);
    await registry.add("alice", second);
    expect(visited()).toEqual([["alice", second]]);
    expect(registry.entry("room:1")?.size).toBe(1);
    expect(registry.subscriptions).toBe(1);
    await broker.close();
  });

  it("drops the broker subscription with the last subscriber, so events stop arriving", async () => {
    const delivered: BrokerEvent[] = [];
    const broker = createMemoryBroker();
    await broker.start((event) => delivered.push(event));
    const registry = new Registry<string>(broker, silent as never);
    const sub = createSubscription("room:1", { name: "room" } as never, undefined);
    await registry.add("alice", sub);
    await broker.publish({ channel: "room:1", event: "e", data: 1 });
    registry.remove("alice", "room:1");
    expect(registry.entry("room:1")).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    await broker.publish({ channel: "room:1", event: "e", data: 2 });
    expect(delivered.map((event) => event.data)).toEqual([1]);
    await broker.close();
  });
});
