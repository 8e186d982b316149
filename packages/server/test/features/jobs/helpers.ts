import type { Broker, BrokerEvent, Hub, HubOptions } from "../../../src/index.js";
import { createMemoryBroker } from "../../../src/index.js";
import { connected, onCleanup, type RawClient, startHub } from "../../helpers/fixtures.js";
import { signToken, TEST_SECRET } from "../../helpers/tokens.js";

/** A hub with tokens and anonymous clients, and the built-in `job` namespace. */
export const JOB_HUB: HubOptions = { allowAnonymous: true, auth: { secret: TEST_SECRET } };

/** A client connected as user `sub` (or anonymous with `null`), in session `sessionId`. */
export async function client(
  url: string,
  sub: string | null,
  options: { sessionId?: string; claims?: Record<string, unknown> } = {},
): Promise<RawClient> {
  const fields: Record<string, unknown> = {};
  if (sub !== null) fields.token = await signToken(sub, options.claims);
  if (options.sessionId !== undefined) fields.sessionId = options.sessionId;
  return connected(url, fields);
}

/** The session id the hub gave `client` in its connect reply. */
export function sessionOf(client: RawClient): string {
  for (const frame of client.frames) {
    const sessionId = (frame.result as { sessionId?: unknown } | undefined)?.sessionId;
    if (frame.type === "reply" && typeof sessionId === "string") return sessionId;
  }
  throw new Error("the client has no connect reply");
}

/** Server code's view of one job channel: every event, in order, with a way to wait. */
export async function watch(hub: Hub, id: string) {
  const events: BrokerEvent[] = [];
  const waiters = new Set<() => void>();
  const stop = await hub.listen(`job:${id}`, (event) => {
    events.push(event);
    for (const wake of [...waiters]) wake();
  });
  onCleanup(stop);
  const until = (test: (events: BrokerEvent[]) => boolean): Promise<BrokerEvent[]> =>
    new Promise((resolve) => {
      const wake = () => {
        if (!test(events)) return;
        waiters.delete(wake);
        resolve(events);
      };
      waiters.add(wake);
      wake();
    });
  return {
    events,
    names: () => events.map((event) => event.event),
    until,
    untilEvent: (name: string) => until((all) => all.some((event) => event.event === name)),
  };
}

/** The error code of a rejected promise (fails the test when it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error("expected a rejection");
}

/**
 * Several hub nodes in one process on one memory broker, as Redis would join them: every
 * node gets the events of the channels it subscribed to, and all share one key-value store.
 */
export function memoryCluster(): () => Broker {
  const shared = createMemoryBroker();
  const nodes: { deliver: (event: BrokerEvent) => void; channels: Map<string, number> }[] = [];
  let started: Promise<void> | undefined;
  let open = 0;
  const interest = new Map<string, number>();
  return () => {
    const node = { deliver: (_event: BrokerEvent) => {}, channels: new Map<string, number>() };
    return {
      kv: shared.kv,
      presence: shared.presence,
      async start(deliver) {
        node.deliver = deliver;
        nodes.push(node);
        open++;
        started ??= shared.start((event) => {
          for (const each of nodes) if (each.channels.has(event.channel)) each.deliver(event);
        });
        await started;
      },
      publish: (message) => shared.publish(message),
      async subscribe(channel) {
        node.channels.set(channel, 1);
        const count = (interest.get(channel) ?? 0) + 1;
        interest.set(channel, count);
        if (count === 1) await shared.subscribe(channel);
      },
      async unsubscribe(channel) {
        if (!node.channels.delete(channel)) return;
        const count = (interest.get(channel) ?? 1) - 1;
        interest.set(channel, count);
        if (count === 0) await shared.unsubscribe(channel);
      },
      position: (channel) => shared.position(channel),
      recover: (channel, since) => shared.recover(channel, since),
      history: (channel, query) => shared.history(channel, query),
      ready: () => shared.ready(),
      async close() {
        const at = nodes.indexOf(node);
        if (at === -1) return;
        nodes.splice(at, 1);
        if (--open === 0) await shared.close();
      },
    } satisfies Broker;
  };
}

/** Two hubs ("nodes") on one memory cluster, each on its own port. */
export async function twoNodes(options: HubOptions = JOB_HUB) {
  const node = memoryCluster();
  const a = await startHub({ ...options, broker: node() });
  const b = await startHub({ ...options, broker: node() });
  return { a, b };
}
