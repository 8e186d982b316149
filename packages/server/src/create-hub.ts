import type { Broker } from "./broker/broker.js";
import { createMemoryBroker } from "./broker/memory-broker.js";
import { SwitchyardHub } from "./core/hub.js";
import type { CoreHub } from "./core/hub-api.js";
import { type CoreOptions, silentLogger } from "./core/options.js";
import { jobsFeature } from "./features/jobs/feature.js";
import type { Jobs } from "./features/jobs/jobs.js";
import type { JobsOptions } from "./features/jobs/options.js";
import type { PresenceApi } from "./features/presence/channel-presence.js";
import { presenceFeature } from "./features/presence/feature.js";
import type { PresenceOptions } from "./features/presence/options.js";
import { proxyFeature } from "./features/proxy/feature.js";
import type { ProxyOptions } from "./features/proxy/options.js";
import { type StateApi, stateFeature } from "./features/state/feature.js";
import type { StateOptions } from "./features/state/options.js";
import { type Webhooks, webhooksFeature } from "./features/webhooks/feature.js";
import type { WebhookOptions } from "./features/webhooks/options.js";
import { builtinTransport } from "./transport/builtin-transport.js";
import { lazyTransport } from "./transport/lazy-transport.js";
import type { Transport } from "./transport/socket.js";

/**
 * The composition root: the one place that knows the concrete broker, transports and standard
 * features, and puts a hub together from them.
 */

/** Options of {@link createHub}. */
export interface HubOptions extends CoreOptions {
  /** The broker; the embedded memory broker when absent (closed with the hub). */
  broker?: Broker;
  /**
   * The WebSocket server implementation. `"builtin"` is Switchyard's own RFC 6455 server
   * without extensions (no permessage-deflate). It is the default for memory: it keeps one
   * small object per connection beside the TCP socket, where `ws` adds about 1.5 kB of objects
   * and listeners. `"ws"` runs the hub on the `ws` package instead (install it: it is an
   * optional peer dependency, loaded only then), with the same protocol for clients. Or any
   * object implementing `Transport`, such as `builtinTransport({ closeTimeout })`.
   * @default "builtin"
   */
  transport?: "builtin" | "ws" | Transport;
  /** Jobs (`hub.jobs`, the `job` namespace): retention, throttling, chunk limits. */
  jobs?: JobsOptions;
  /** Synced state (`hub.state(name)`, the `state` namespace): the declared documents. */
  state?: StateOptions;
  /**
   * Signed webhooks for lifecycle events, POSTed to your backend (docs/webhooks.md).
   * @default undefined (no webhooks)
   */
  webhooks?: WebhookOptions;
  /**
   * Presence (`hub.presence`, `$presence` events): the namespaces that turn it on, grace,
   * cap, info, and the cluster timings.
   * @default {} (presence off in every namespace)
   */
  presence?: PresenceOptions;
  /**
   * The application's backend, over HTTP, decides connects, subscribes, client publishes and
   * answers RPCs (docs/backends.md).
   * @default undefined (no proxies)
   */
  proxy?: ProxyOptions;
}

/**
 * The hub {@link createHub} returns: the core hub with the standard features installed.
 * A feature sees the {@link CoreHub} it is installed on.
 */
export interface Hub extends CoreHub {
  /** Long-running jobs with progress, partial results and cancel (docs/jobs.md). */
  readonly jobs: Jobs;
  /**
   * A declared state document (docs/state.md): get, set, batch, preset, reload, undo, and its
   * change events. Throws `state_not_found` for an undeclared name.
   */
  readonly state: StateApi;
  /** The webhooks' figures and `flush()`, when the `webhooks` option is given (docs/webhooks.md). */
  readonly webhooks: Webhooks | undefined;
  /**
   * Who is present on a channel of a presence namespace (docs/presence.md): `count()` and
   * paged `list()`. Throws `presence_disabled` when the channel's namespace has presence off.
   */
  readonly presence: PresenceApi;
}

/**
 * Creates a hub with the standard features (jobs, synced state, presence, and webhooks when configured),
 * on the memory broker unless one is given.
 * Attach it to any Node `http.Server` with `hub.attach(server)`, or route upgrades yourself
 * with `hub.handleUpgrade`.
 *
 * @example
 * const server = http.createServer();
 * const hub = createHub({
 *   auth: { secret: process.env.JWT_SECRET },
 *   namespaces: { job: { subscribe: "authenticated", history: { size: 500 } } },
 * });
 * hub.attach(server);
 * server.listen(7070);
 * await hub.publish("job:42", "progress", { percent: 40 });
 */
export function createHub(options: HubOptions = {}): Hub {
  const {
    broker,
    transport,
    jobs: jobsOptions,
    state: stateOptions,
    presence: presenceOptions,
    webhooks,
    proxy,
    ...core
  } = options;
  const logger = core.logger ?? silentLogger;
  // Made before the hub, so that bad options throw before anything starts.
  const webhooksInstall = webhooks === undefined ? undefined : webhooksFeature(webhooks);
  const hub = new SwitchyardHub(core, {
    broker:
      broker ??
      createMemoryBroker({
        onError: (error) => logger.error({ err: error }, "event delivery failed"),
      }),
    ownsBroker: broker === undefined,
    transport: transportOf(transport ?? "builtin"),
  });
  const jobs = hub.use(jobsFeature(jobsOptions));
  if (proxy !== undefined) hub.use(proxyFeature(proxy));
  const state = hub.use(stateFeature(stateOptions));
  const presence = hub.use(presenceFeature(presenceOptions));
  // Installed last: features close in order, so it still sends what the others announce then.
  const webhooksApi = webhooksInstall === undefined ? undefined : hub.use(webhooksInstall);
  return Object.assign(hub, { jobs, state, presence, webhooks: webhooksApi });
}

function transportOf(transport: NonNullable<HubOptions["transport"]>): Transport {
  switch (transport) {
    case "builtin":
      return builtinTransport();
    case "ws":
      // Loaded on demand: `ws` is imported only by hubs that run on it.
      return lazyTransport(async () => (await import("./transport/ws-transport.js")).wsTransport());
    default:
      if (typeof transport?.bind !== "function" || typeof transport.handleUpgrade !== "function") {
        throw new TypeError(`transport must be "builtin", "ws" or a Transport, not ${transport}`);
      }
      return transport;
  }
}
