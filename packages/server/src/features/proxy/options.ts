/**
 * Options of the backend proxies (`createHub({ proxy })`, the CLI config's `proxy`): each hook
 * is a URL of the application's backend that the hub POSTs a JSON body to and waits for
 * (docs/backends.md).
 */

/** What every proxied hook has. */
export interface ProxyHookOptions {
  /** The backend URL the hub POSTs to (`http://app:8000/switchyard/connect`). */
  url: string;
  /**
   * Milliseconds the backend has to answer, time waiting for a free slot included; past it
   * the request fails with `backend_timeout`.
   * @default 1_000
   */
  timeout?: number;
}

/** The connect proxy: the backend decides connects that carry no token. */
export interface ConnectProxyOptions extends ProxyHookOptions {
  /**
   * Headers of the WebSocket upgrade request passed to the backend (any case). None by
   * default: an upgrade's headers may carry credentials the backend should not see.
   * @default []
   */
  headers?: string[];
  /**
   * Cookies of the upgrade request passed to the backend (`["session"]`).
   * @default []
   */
  cookies?: string[];
}

/** The refresh proxy: extends the life of connections the connect proxy let in. */
export interface RefreshProxyOptions extends ProxyHookOptions {
  /**
   * Milliseconds until the next try when the backend could not answer (unreachable, timeout,
   * a garbage answer): the connection stays meanwhile. Only a refusal ends it.
   * @default 10_000
   */
  retryInterval?: number;
}

/** The subscribe and publish proxies: for the channels of some namespaces or all. */
export interface ChannelProxyOptions extends ProxyHookOptions {
  /**
   * The namespaces whose channels go to the backend; all (personal channels aside) when absent.
   * @default undefined (every namespace)
   */
  namespaces?: string[];
}

/** The RPC proxy: the methods matching `methods` go to the backend. */
export interface RpcProxyOptions extends ProxyHookOptions {
  /** Method patterns (`*` matches any run of characters): `"sim.*"` or a list. */
  methods: string | string[];
}

/** Options of {@link proxyFeature}; every hook is optional. */
export interface ProxyOptions {
  connect?: ConnectProxyOptions;
  refresh?: RefreshProxyOptions;
  /**
   * One hook, or one per group of namespaces (each with its `namespaces`, its URL and timeout):
   * a channel goes to the first whose `namespaces` hold its namespace.
   */
  subscribe?: ChannelProxyOptions | ChannelProxyOptions[];
  /** Like `subscribe`: one hook, or one per group of namespaces. */
  publish?: ChannelProxyOptions | ChannelProxyOptions[];
  rpc?: RpcProxyOptions;
  /**
   * Requests in flight to one backend URL at a time. Up to as many more wait for a slot (still
   * within their timeout); past that a request fails at once with `backend_unavailable`, so a
   * slow backend cannot pile up the hub's memory or stall clients that do not need it.
   * @default 16
   */
  concurrency?: number;
  /**
   * When set, every request carries `Switchyard-Signature: t=<unix seconds>,v1=<hex
   * HMAC-SHA256 of "<t>.<body>">` so the backend can check that the hub sent it.
   * @default undefined (unsigned)
   */
  secret?: string;
}

/** Default of {@link ProxyHookOptions.timeout}. */
export const DEFAULT_PROXY_TIMEOUT = 1_000;
/** Default of {@link ProxyOptions.concurrency}. */
export const DEFAULT_PROXY_CONCURRENCY = 16;
/** Default of {@link RefreshProxyOptions.retryInterval}. */
export const DEFAULT_REFRESH_RETRY = 10_000;
