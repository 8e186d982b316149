import { isValidChannel, isValidId, SwitchyardError } from "@switchyard/protocol";
import type { ClientInfo, ConnectIdentity, Feature, FeatureHost } from "../../core/hub-api.js";
import { Backend, isObject, ProxyCounters } from "./backend.js";
import { proxyOpenApi } from "./openapi.js";
import {
  type ChannelProxyOptions,
  DEFAULT_PROXY_CONCURRENCY,
  DEFAULT_PROXY_TIMEOUT,
  DEFAULT_REFRESH_RETRY,
  type ProxyHookOptions,
  type ProxyOptions,
  type RefreshProxyOptions,
} from "./options.js";

/**
 * The backend proxies as a feature (docs/backends.md): the application's backend, in any
 * language, decides connects (connect), extends them (refresh), allows subscribes (subscribe),
 * checks or rewrites client publishes (publish) and answers RPCs (rpc), each over one HTTP
 * POST with a JSON body, within a timeout, a few requests at a time per backend URL.
 * `createHub({ proxy })` installs it; any hub can with `hub.use(proxyFeature(options))`.
 *
 * @example
 * hub.use(proxyFeature({
 *   connect: { url: "http://127.0.0.1:8000/switchyard/connect", cookies: ["session"] },
 *   rpc: { url: "http://127.0.0.1:8000/switchyard/rpc", methods: "sim.*" },
 * }));
 */
export function proxyFeature(options: ProxyOptions): Feature<void> {
  return {
    name: "proxy",
    install(host) {
      const counters = new ProxyCounters();
      const backends = new Map<string, Backend>();
      const closing = new AbortController();
      const concurrency = positive(options.concurrency, DEFAULT_PROXY_CONCURRENCY, "concurrency");
      const backendOf = (hook: ProxyHookOptions): Backend => {
        checkUrl(hook.url);
        let backend = backends.get(hook.url);
        if (backend === undefined) {
          backend = new Backend(
            hook.url,
            concurrency,
            options.secret,
            counters,
            host.logger,
            closing.signal,
          );
          backends.set(hook.url, backend);
        }
        return backend;
      };
      installConnect(host, options, backendOf);
      installChannelHooks(host, options, backendOf);
      const { rpc } = options;
      if (rpc !== undefined) {
        const backend = backendOf(rpc);
        const timeout = timeoutOf(rpc);
        host.rpcPattern(rpc.methods, async (data, context) => {
          const result = await backend.call(
            "rpc",
            { client: clientBody(context.client), method: context.method, data: data ?? null },
            timeout,
          );
          return result.data ?? null;
        });
      }
      host.routes([], proxyOpenApi);
      host.stats(() => ({ ...counters }));
      host.onClose(() => closing.abort());
    },
  };
}

type BackendOf = (hook: ProxyHookOptions) => Backend;

function installConnect(host: FeatureHost, options: ProxyOptions, backendOf: BackendOf): void {
  const { connect, refresh } = options;
  if (refresh !== undefined && connect === undefined) {
    throw new Error("proxy: a refresh hook needs a connect hook (it extends proxied connects)");
  }
  if (connect === undefined) return;
  const backend = backendOf(connect);
  const timeout = timeoutOf(connect);

  const extend =
    refresh === undefined
      ? undefined
      : refresher(host, backendOf(refresh), timeoutOf(refresh), retryOf(refresh));

  host.authenticate(
    async (request) => {
      // A connect that carries a token is checked as a JWT; the backend decides the others.
      if (request.token !== undefined && request.token !== "") return undefined;
      let result: Record<string, unknown>;
      try {
        result = await backend.call(
          "connect",
          {
            clientId: request.clientId,
            ip: request.ip,
            codec: request.codec,
            sdk: request.sdk ?? null,
            data: request.data ?? null,
            headers: request.headers,
            cookies: request.cookies,
          },
          timeout,
        );
      } catch (error) {
        // A temporary refusal closes in the back-off class: the client tries again later.
        if (error instanceof SwitchyardError && temporary(error)) {
          throw new SwitchyardError("backend_unavailable", error.message, error.details);
        }
        throw error;
      }
      return identityOf(result, backend, extend);
    },
    { headers: connect.headers ?? [], cookies: connect.cookies ?? [] },
  );
}

/**
 * Asks the refresh hook for a connection's next expiry. Only a refusal ends the connection: an
 * outage, a late or garbage answer, or a temporary refusal is asked again after `retry` ms.
 */
function refresher(
  host: FeatureHost,
  backend: Backend,
  timeout: number,
  retry: number,
): NonNullable<ConnectIdentity["refresh"]> {
  return async (client) => {
    try {
      const result = await backend.call("refresh", { client: clientBody(client) }, timeout);
      return { expiresAt: expiryOf(result, "refresh", backend) };
    } catch (error) {
      if (error instanceof SwitchyardError && error.code === "backend_error" && !temporary(error)) {
        throw error;
      }
      host.logger.warn({ err: error, clientId: client.clientId }, "refresh retried later");
      return { expiresAt: Date.now() + retry };
    }
  };
}

function retryOf(refresh: RefreshProxyOptions): number {
  return positive(refresh.retryInterval, DEFAULT_REFRESH_RETRY, "refresh.retryInterval");
}

function installChannelHooks(host: FeatureHost, options: ProxyOptions, backendOf: BackendOf): void {
  const subscribe = routesOf(options.subscribe, backendOf);
  if (subscribe.length > 0) {
    host.guardSubscribe(async (request) => {
      const route = subscribe.find((one) => one.wanted(request.namespace));
      if (route === undefined) return undefined;
      const result = await route.backend.call(
        "subscribe",
        {
          client: clientBody(request.client),
          channel: request.channel,
          namespace: request.namespace,
        },
        route.timeout,
      );
      return result.info === undefined ? undefined : { info: result.info };
    });
  }
  const publish = routesOf(options.publish, backendOf);
  if (publish.length > 0) {
    host.guardPublish(async (request) => {
      const route = publish.find((one) => one.wanted(request.namespace));
      if (route === undefined) return undefined;
      const result = await route.backend.call(
        "publish",
        {
          client: clientBody(request.client),
          channel: request.channel,
          namespace: request.namespace,
          event: request.event,
          data: request.data ?? null,
        },
        route.timeout,
      );
      return Object.hasOwn(result, "data") ? { data: result.data } : undefined;
    });
  }
}

/** One subscribe or publish hook: which namespaces it takes, where it asks. */
interface ChannelRoute {
  wanted: (namespace: string) => boolean;
  backend: Backend;
  timeout: number;
}

function routesOf(
  option: ChannelProxyOptions | ChannelProxyOptions[] | undefined,
  backendOf: BackendOf,
): ChannelRoute[] {
  if (option === undefined) return [];
  return (Array.isArray(option) ? option : [option]).map((hook) => ({
    wanted: namespaceFilter(hook.namespaces),
    backend: backendOf(hook),
    timeout: timeoutOf(hook),
  }));
}

/** The connect proxy's `result` as the hub's identity; a malformed one is an invalid answer. */
function identityOf(
  result: Record<string, unknown>,
  backend: Backend,
  refresh: ConnectIdentity["refresh"],
): ConnectIdentity {
  const { userId, channels } = result;
  if (userId !== null && (typeof userId !== "string" || (userId !== "" && !isValidId(userId)))) {
    throw backend.invalid(
      "connect",
      "'userId' must be 1-128 characters of A-Z a-z 0-9 _ . @ | : -, or null for an anonymous client",
    );
  }
  if (
    channels !== undefined &&
    !(
      Array.isArray(channels) &&
      channels.every((c) => typeof c === "string" && isValidChannel(c) && !c.startsWith("$"))
    )
  ) {
    throw backend.invalid(
      "connect",
      "'channels' must be an array of channel names (no personal ones)",
    );
  }
  const identity: ConnectIdentity = {
    userId: userId === "" ? null : (userId as string | null),
    expiresAt: expiryOf(result, "connect", backend),
  };
  if (result.info !== undefined) identity.info = result.info;
  if (result.meta !== undefined) identity.meta = result.meta;
  if (channels !== undefined) identity.channels = channels as string[];
  if (refresh !== undefined && identity.expiresAt !== null) identity.refresh = refresh;
  return identity;
}

function expiryOf(
  result: Record<string, unknown>,
  hook: "connect" | "refresh",
  backend: Backend,
): number | null {
  const { expiresAt } = result;
  if (expiresAt === undefined || expiresAt === null) return null;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
    throw backend.invalid(hook, "'expiresAt' must be milliseconds since the Unix epoch, or null");
  }
  return expiresAt;
}

/** What the backend learns of a client in every body but connect's. */
function clientBody(client: ClientInfo): Record<string, unknown> {
  return {
    clientId: client.clientId,
    sessionId: client.sessionId,
    userId: client.userId,
    ip: client.ip,
    info: client.info ?? null,
    meta: client.meta ?? null,
  };
}

function namespaceFilter(namespaces: string[] | undefined): (namespace: string) => boolean {
  if (namespaces === undefined) return (namespace) => !namespace.startsWith("$");
  const set = new Set(namespaces);
  return (namespace) => set.has(namespace);
}

function temporary(error: SwitchyardError): boolean {
  return isObject(error.details) && error.details.temporary === true;
}

function timeoutOf(hook: ProxyHookOptions): number {
  return positive(hook.timeout, DEFAULT_PROXY_TIMEOUT, "timeout");
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`proxy: '${name}' must be a positive number`);
  return value;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`proxy: '${url}' is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`proxy: '${url}' must be an http(s) URL`);
  }
}
