/**
 * Clients that watch sequenced channels through the client SDK (reconnect and recovery
 * included) and the checks of what they saw: exactly once and in order, or a reported reset.
 */
import { type Client, createClient, type ResetInfo } from "@switchyard/client";
import { onCleanup } from "../helpers.js";
import type { Signal } from "./fixtures.js";

/** What a client saw on one channel, in order: events and resets. */
export type Seen = { n: number; offset: number | undefined } | { reset: ResetInfo };

/** A client subscribed to some sequenced channels. */
export interface Watcher {
  readonly client: Client;
  readonly channels: readonly string[];
  readonly seen: Map<string, Seen[]>;
  /** How many times the client got connected (1 without a failover). */
  connects(): number;
  /** True while every subscription is live. */
  subscribed(): boolean;
  /** The last `n` received on `channel` (-1 before the first). */
  last(channel: string): number;
  /** Resets reported on any channel. */
  resets(): ResetInfo[];
}

/** Creates a client on `url` that records every event and reset of `channels`. */
export function watch(url: string, channels: readonly string[], signal: Signal): Watcher {
  const client = createClient({
    url,
    reconnect: { minDelay: 20, maxDelay: 200, slowMinDelay: 50, slowMaxDelay: 300 },
  });
  onCleanup(() => client.close());
  let connects = 0;
  let wasConnected = false;
  client.connection.subscribe(() => {
    const connected = client.connection.getSnapshot().status === "connected";
    if (connected && !wasConnected) connects++;
    wasConnected = connected;
    signal.poke();
  });
  const seen = new Map<string, Seen[]>();
  const subscriptions = channels.map((channel) => {
    const list: Seen[] = [];
    seen.set(channel, list);
    const subscription = client.subscribe(channel, {
      onEvent: (event) => {
        list.push({ n: (event.data as { n: number }).n, offset: event.offset });
        signal.poke();
      },
      onReset: (info) => {
        list.push({ reset: info });
        signal.poke();
      },
    });
    subscription.state.subscribe(signal.poke);
    return subscription;
  });
  return {
    client,
    channels,
    seen,
    connects: () => connects,
    subscribed: () => subscriptions.every((s) => s.state.getSnapshot().status === "subscribed"),
    last(channel) {
      const list = seen.get(channel) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const item = list[i];
        if (item !== undefined && "n" in item) return item.n;
      }
      return -1;
    },
    resets: () =>
      [...seen.values()].flatMap((list) =>
        list.flatMap((item) => ("reset" in item ? [item.reset] : [])),
      ),
  };
}

/** True once every watcher received event `perChannel - 1` on each of its channels. */
export function allReceived(watchers: readonly Watcher[], perChannel: number): boolean {
  return watchers.every((w) => w.channels.every((channel) => w.last(channel) === perChannel - 1));
}

/**
 * Every way a watcher's record breaks "each event exactly once, in order": a gap, a duplicate,
 * a reordering or an offset out of step. With `allowResets`, a reported reset may end a run
 * of events (the next run starts anywhere) — but a gap without a reset is still a problem.
 * Offsets restart with a run (a new epoch starts at 1).
 */
export function sequenceProblems(
  watchers: readonly Watcher[],
  perChannel: number,
  options: { allowResets: boolean },
): string[] {
  const problems: string[] = [];
  watchers.forEach((watcher, index) => {
    for (const channel of watcher.channels) {
      const where = `client ${index} on ${channel}`;
      let previous: { n: number; offset: number | undefined } | undefined;
      let afterReset = false;
      let count = 0;
      for (const item of watcher.seen.get(channel) ?? []) {
        if ("reset" in item) {
          if (!options.allowResets) problems.push(`${where}: reset ${JSON.stringify(item.reset)}`);
          afterReset = true;
          continue;
        }
        count++;
        const expected = previous === undefined ? 0 : previous.n + 1;
        if (!afterReset && item.n !== expected) {
          problems.push(`${where}: got n=${item.n} after n=${previous?.n ?? "none"}`);
        }
        if (
          !afterReset &&
          previous?.offset !== undefined &&
          item.offset !== undefined &&
          item.offset !== previous.offset + 1
        ) {
          problems.push(`${where}: offset ${item.offset} after ${previous.offset}`);
        }
        previous = item;
        afterReset = false;
        if (problems.length > 20) return;
      }
      if (previous?.n !== perChannel - 1) {
        problems.push(`${where}: ended at n=${previous?.n ?? "none"}`);
      }
      if (!options.allowResets && count !== perChannel) {
        problems.push(`${where}: ${count} events for ${perChannel}`);
      }
    }
  });
  return problems;
}
