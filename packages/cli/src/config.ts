import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import {
  type AuthOptions,
  type HubOptions,
  type LimitOptions,
  type NamespaceOptions,
  type ProxyOptions,
  type StateOptions,
  WEBHOOK_EVENTS,
  type WebhookOptions,
} from "@switchyard/server";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import { type StateConfig, stateConfigSchema, stateOptionsOf } from "./state-config.js";

/**
 * The configuration of `switchyard serve`: a JSON or YAML file, overridden by flags and
 * environment variables, validated here with zod so a mistake names its field.
 */

/** The WebSocket server implementations `switchyard serve` can run the hub on. */
export const TRANSPORTS = ["builtin", "ws"] as const satisfies readonly NonNullable<
  HubOptions["transport"]
>[];

const positiveInt = z.number().int().positive();
const accessRule = z.enum(["anyone", "authenticated", "token", "nobody"]);

const namespaceSchema = z.strictObject({
  subscribe: accessRule.optional(),
  publish: accessRule.optional(),
  history: z
    .union([z.literal(false), z.strictObject({ size: positiveInt, ttl: positiveInt }).partial()])
    .optional(),
  conflate: z.boolean().optional(),
});

const presenceNamespaceSchema = z.union([
  z.literal(true),
  z.strictObject({ grace: z.number().int().min(0), cap: positiveInt }).partial(),
]);

const presenceSchema = z
  .strictObject({
    namespaces: z.record(z.string(), presenceNamespaceSchema),
    ttl: positiveInt,
    refreshInterval: positiveInt,
    reapInterval: positiveInt,
    batchWindow: positiveInt,
    maxBatch: positiveInt,
  })
  .partial();

const authSchema = z
  .strictObject({
    secret: z.string().min(1).optional(),
    publicKey: z.string().min(1).optional(),
    jwksUrl: z.url().optional(),
    algorithms: z.array(z.string().min(1)).min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
  })
  .refine(
    (auth) =>
      [auth.secret, auth.publicKey, auth.jwksUrl].filter((v) => v !== undefined).length === 1,
    { message: "give exactly one of secret, publicKey, jwksUrl" },
  );

const redisSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\/\S+$/, { message: "must be a redis:// or rediss:// URL" }),
  prefix: z.string().min(1).optional(),
  nodeId: z.string().min(1).optional(),
  durableRedis: z.boolean().optional(),
  startTimeout: positiveInt.optional(),
});

const webhooksSchema = z.strictObject({
  url: z.string().regex(/^https?:\/\/\S+$/, { message: "must be an http:// or https:// URL" }),
  secret: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).optional(),
  batch: z
    .strictObject({ size: positiveInt, window: z.number().int().min(0) })
    .partial()
    .optional(),
  retry: z
    .strictObject({
      maxTime: z.number().int().min(0),
      initialDelay: positiveInt,
      maxDelay: positiveInt,
    })
    .partial()
    .optional(),
  timeout: positiveInt.optional(),
  concurrency: positiveInt.optional(),
  maxQueue: positiveInt.optional(),
  grace: z.number().int().min(0).optional(),
  closeTimeout: z.number().int().min(0).optional(),
});

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const hookFields = { url: httpUrl, timeout: positiveInt.optional() };
const namespaceList = z.array(z.string()).optional();

const channelHookObject = z.strictObject({ ...hookFields, namespaces: namespaceList });
/** One subscribe or publish hook, or one per group of namespaces. */
const channelHook = z.union([channelHookObject, z.array(channelHookObject).min(1)]);

/** The backend proxies (docs/backends.md): each hook is optional. */
const proxySchema = z.strictObject({
  connect: z
    .strictObject({
      ...hookFields,
      headers: z.array(z.string().min(1)).optional(),
      cookies: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  refresh: z.strictObject({ ...hookFields, retryInterval: positiveInt.optional() }).optional(),
  subscribe: channelHook.optional(),
  publish: channelHook.optional(),
  rpc: z
    .strictObject({
      ...hookFields,
      methods: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    })
    .optional(),
  concurrency: positiveInt.optional(),
  secret: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
});

/** Longest label of a link of the inspector's header. */
export const MAX_LINK_LABEL = 40;

/** One link of the inspector's header: `{label, url}` (config `links`, flag `--link`). */
export const linkSchema = z.strictObject({
  label: z
    .string()
    .trim()
    .min(1, { error: `must be 1–${MAX_LINK_LABEL} characters` })
    .max(MAX_LINK_LABEL, { error: `must be 1–${MAX_LINK_LABEL} characters` })
    .regex(/^\P{Cc}*$/u, { error: "must not contain control characters" }),
  url: z.url({
    protocol: /^https?$/,
    error: "must be an absolute http:// or https:// URL",
  }),
});

/** A link of the inspector's header, to an application beside the hub. */
export type InspectorLink = z.infer<typeof linkSchema>;

/** The schema of a config file (every field optional). */
export const configFileSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  apiKey: z.string().min(1).optional(),
  allowAnonymous: z.boolean().optional(),
  auth: authSchema.optional(),
  allowedOrigins: z.array(z.string().min(1)).optional(),
  limits: z
    .strictObject({
      maxConnections: positiveInt,
      maxConnectionsPerUser: positiveInt,
      // null: no limit (a hub behind a proxy that hides the clients' addresses).
      maxConnectionsPerIp: positiveInt.nullable(),
      maxSubscriptions: positiveInt,
      maxMessageBytes: positiveInt,
      rate: z.number().positive(),
      burst: positiveInt,
      queueBytes: positiveInt,
      connectTimeout: positiveInt,
    })
    .partial()
    .optional(),
  heartbeat: z.strictObject({ interval: positiveInt, timeout: positiveInt }).partial().optional(),
  namespaces: z.record(z.string(), namespaceSchema).optional(),
  defaultNamespace: namespaceSchema.nullable().optional(),
  presence: presenceSchema.optional(),
  maxBodyBytes: positiveInt.optional(),
  requireApiKeyForStats: z.boolean().optional(),
  shutdownTimeout: z.number().int().min(0).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  transport: z.enum(TRANSPORTS).optional(),
  redis: redisSchema.optional(),
  state: stateConfigSchema.optional(),
  webhooks: webhooksSchema.optional(),
  links: z
    .array(linkSchema)
    .superRefine((links, context) => {
      const seen = new Set<string>();
      links.forEach((link, index) => {
        if (seen.has(link.label)) {
          context.addIssue({
            code: "custom",
            path: [index, "label"],
            message: `another link is labelled '${link.label}'`,
          });
        }
        seen.add(link.label);
      });
    })
    .optional(),
  proxy: proxySchema
    .refine((proxy) => proxy.refresh === undefined || proxy.connect !== undefined, {
      message: "a refresh hook needs a connect hook (it extends proxied connects)",
    })
    .optional(),
});

/** A config file's content, or the flags that override it. */
export type ConfigInput = z.infer<typeof configFileSchema>;

/**
 * Makes this server one node of a cluster: every node given the same Redis (and `prefix`) is
 * part of one hub (see docs/operations.md).
 */
export interface RedisConfig {
  /** `redis[s]://[[user][:password]@]host[:port][/db]` (flag `--redis`, env `SWITCHYARD_REDIS_URL`). */
  url: string;
  /**
   * Prefix of every Redis key and pub/sub channel; nodes of one cluster share it.
   * @default "switchyard"
   */
  prefix?: string;
  /**
   * This node's name in the cluster (`/stats`, logs).
   * @default `<hostname>-<6 random hex digits>`
   */
  nodeId?: string;
  /**
   * Redis persists every write before answering (AOF, `appendfsync always`): history survives
   * a Redis restart. See the broker's `durableRedis` option.
   * @default false
   */
  durableRedis?: boolean;
  /**
   * Milliseconds the server keeps trying to reach Redis at start before it exits.
   * @default 10_000
   */
  startTimeout?: number;
}

/** The resolved configuration `startServer` runs with. */
export interface ServerConfig {
  /** @default 7070 (0 picks a free port) */
  port: number;
  /** @default "127.0.0.1" (give "0.0.0.0" to listen on every interface) */
  host: string;
  /** The HTTP API key; generated when none is given. */
  apiKey: string;
  /** True when {@link ServerConfig.apiKey} was generated at start. */
  apiKeyGenerated: boolean;
  /** @default false */
  allowAnonymous: boolean;
  auth?: AuthOptions;
  allowedOrigins?: string[];
  /**
   * The hub's limits; the others keep the hub's defaults.
   * @default { maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP }
   */
  limits: Partial<LimitOptions>;
  heartbeat?: ConfigInput["heartbeat"];
  namespaces?: Record<string, NamespaceOptions>;
  /**
   * Presence: the namespaces that turn it on (`true`, or `{grace, cap}`), and the cluster
   * timings (the hub's `presence` option; the info shown is the token's `presence` claim).
   * Absent: presence off.
   */
  presence?: ConfigInput["presence"];
  /** @default {@link defaultNamespaceFor} */
  defaultNamespace: NamespaceOptions | null;
  /** @default 1_048_576 */
  maxBodyBytes: number;
  /**
   * `/stats` and `/metrics` need the API key, like the HTTP API. Off by default: they hold
   * counts only (no channel names, ids or payloads), existing scrapers and dashboards read
   * them without a key, and the server listens on loopback unless told otherwise.
   * @default false
   */
  requireApiKeyForStats: boolean;
  /**
   * Milliseconds clients get to leave on shutdown before the hub closes anyway.
   * @default 5_000
   */
  shutdownTimeout: number;
  /** @default "info" */
  logLevel: LogLevel;
  /**
   * The hub's WebSocket server (see the hub option `transport`); absent: the hub's default.
   * @default "builtin"
   */
  transport?: (typeof TRANSPORTS)[number];
  /** Cluster mode: the Redis every node shares. Absent: one node with the memory broker. */
  redis?: RedisConfig;
  /** The synced-state documents (docs/state.md); absent: none is declared. */
  state?: StateOptions;
  /**
   * Signed webhooks for lifecycle events (docs/webhooks.md): the hub option `webhooks`. The
   * secret may come from `SWITCHYARD_WEBHOOK_SECRET` (several separated by commas), the URL
   * from `SWITCHYARD_WEBHOOK_URL`. Each event's `node` is the cluster node id.
   * @default undefined (no webhooks)
   */
  webhooks?: WebhookOptions;
  /**
   * The backend proxies: the application's backend decides connects, subscribes and client
   * publishes and answers RPCs over HTTP (docs/backends.md).
   * @default undefined (none)
   */
  proxy?: ProxyOptions;
  /**
   * Links to the applications beside the hub, shown in the inspector's header (served at
   * `/inspector/links.json`) and in the start banner. The file's `links`, then `--link`
   * flags: a flag with the label of a file's link replaces it in place.
   * @default []
   */
  links?: InspectorLink[];
}

/** Default port of `switchyard serve`. */
export const DEFAULT_PORT = 7070;
/** Default host: loopback only; listening on every interface must be asked for. */
export const DEFAULT_HOST = "127.0.0.1";
/**
 * Default `limits.maxConnectionsPerIp` of the standalone server (the library's is no limit),
 * so that one host cannot take a node's whole budget of connections. It is well above what
 * one browser can open (browsers cap WebSockets at about 200–255 per profile), leaving room
 * for many users behind one NAT. Behind a proxy every client has the proxy's address: raise
 * the limit or lift it (`--max-connections-per-ip off`) and limit per client at the proxy.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 1000;

/** One problem of a config: the path of the bad field and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A config that cannot be used; the message lists every bad field. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: ConfigIssue[];

  constructor(source: string, issues: ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path || "(root)"}: ${issue.message}`);
    super(`Invalid config (${source}):\n${lines.join("\n")}`);
    this.issues = issues;
  }
}

/**
 * The namespace policy for channels whose namespace the config does not list: anyone may
 * subscribe when anonymous connections are allowed (else only authenticated clients),
 * authenticated clients may publish, and 1000 events / 2 minutes of history are kept.
 */
export function defaultNamespaceFor(allowAnonymous: boolean): NamespaceOptions {
  return {
    subscribe: allowAnonymous ? "anyone" : "authenticated",
    publish: "authenticated",
    history: { size: 1000, ttl: 120_000 },
  };
}

/** Validates a parsed config object; throws {@link ConfigError} naming every bad field. */
export function validateConfig(value: unknown, source = "config"): ConfigInput {
  const result = configFileSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map(String);
    // One issue per unknown key, at the key's own path, so a typo is named where it is.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: [...path, key].join("."),
        message: "unknown field",
      }));
    }
    return [{ path: path.join("."), message: issue.message }];
  });
  throw new ConfigError(source, issues);
}

/** Reads and validates a JSON (`.json`) or YAML (anything else) config file. */
export async function loadConfigFile(path: string): Promise<ConfigInput> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [{ path: "", message: `cannot read the file: ${reason}` }]);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [{ path: "", message: `cannot parse the file: ${reason}` }]);
  }
  const config = validateConfig(value, path);
  if (config.state !== undefined) config.state = withFilesFrom(config.state, dirname(path));
  return config;
}

/** A config file's state documents with their files' relative paths taken from `directory`. */
function withFilesFrom(state: StateConfig, directory: string): StateConfig {
  const documents: StateConfig["documents"] = {};
  for (const [name, document] of Object.entries(state.documents)) {
    const { file } = document;
    if (file === undefined) {
      documents[name] = document;
      continue;
    }
    const spec = typeof file === "string" ? { path: file } : file;
    const path = isAbsolute(spec.path) ? spec.path : resolve(directory, spec.path);
    documents[name] = { ...document, file: { ...spec, path } };
  }
  return { documents };
}

/**
 * Merges the layers (file, then environment, then flags: the later wins) and fills in the
 * defaults. Without an API key anywhere, a random one is generated. The Redis URL of the
 * environment (`SWITCHYARD_REDIS_URL`) or of `--redis` keeps the file's other `redis` fields.
 */
export function resolveConfig(
  layers: { file?: ConfigInput; flags?: ConfigInput; env?: NodeJS.ProcessEnv } = {},
): ServerConfig {
  const fromEnv: ConfigInput = {};
  const envKey = layers.env?.SWITCHYARD_API_KEY;
  if (envKey !== undefined && envKey !== "") fromEnv.apiKey = envKey;
  const envRedis = layers.env?.SWITCHYARD_REDIS_URL;
  if (envRedis !== undefined && envRedis !== "") fromEnv.redis = { url: envRedis };
  const envWebhookUrl = layers.env?.SWITCHYARD_WEBHOOK_URL;
  const envWebhookSecret = layers.env?.SWITCHYARD_WEBHOOK_SECRET?.split(",").filter(Boolean);
  const webhookLayers = [
    layers.file?.webhooks,
    {
      ...(envWebhookUrl ? { url: envWebhookUrl } : {}),
      ...(envWebhookSecret?.length ? { secret: envWebhookSecret } : {}),
    },
    layers.flags?.webhooks,
  ];
  const merged: Record<string, unknown> = { ...layers.file, ...fromEnv, ...layers.flags };
  // The environment's URL or secret keeps the file's other webhook fields.
  const webhooks = Object.assign({}, ...webhookLayers);
  if (Object.keys(webhooks).length > 0) merged.webhooks = webhooks;
  const redisLayers = [layers.file?.redis, fromEnv.redis, layers.flags?.redis];
  if (redisLayers.some((layer) => layer !== undefined)) {
    merged.redis = Object.assign({}, ...redisLayers);
  }
  const links = mergeLinks(layers.file?.links, layers.flags?.links);
  if (links !== undefined) merged.links = links;
  // A limit given by a flag keeps the file's other limits.
  merged.limits = { ...layers.file?.limits, ...layers.flags?.limits };
  const input = validateConfig(merged, "flags");
  const allowAnonymous = input.allowAnonymous ?? false;
  const config: ServerConfig = {
    port: input.port ?? DEFAULT_PORT,
    host: input.host ?? DEFAULT_HOST,
    apiKey: input.apiKey ?? randomBytes(24).toString("base64url"),
    apiKeyGenerated: input.apiKey === undefined,
    allowAnonymous,
    defaultNamespace:
      input.defaultNamespace === undefined
        ? defaultNamespaceFor(allowAnonymous)
        : input.defaultNamespace,
    limits: limitsOf(input.limits),
    maxBodyBytes: input.maxBodyBytes ?? 1_048_576,
    requireApiKeyForStats: input.requireApiKeyForStats ?? false,
    shutdownTimeout: input.shutdownTimeout ?? 5_000,
    logLevel: input.logLevel ?? "info",
    links: input.links ?? [],
  };
  if (input.auth !== undefined) config.auth = input.auth;
  if (input.allowedOrigins !== undefined) config.allowedOrigins = input.allowedOrigins;
  if (input.heartbeat !== undefined) config.heartbeat = input.heartbeat;
  if (input.transport !== undefined) config.transport = input.transport;
  if (input.namespaces !== undefined) config.namespaces = input.namespaces;
  if (input.presence !== undefined) config.presence = input.presence;
  if (input.redis !== undefined) config.redis = input.redis;
  if (input.state !== undefined) config.state = stateOptionsOf(input.state);
  if (input.webhooks !== undefined) {
    const { secret, ...webhooks } = input.webhooks;
    if (secret === undefined) {
      throw new ConfigError("flags", [
        { path: "webhooks.secret", message: "give a secret (or SWITCHYARD_WEBHOOK_SECRET)" },
      ]);
    }
    config.webhooks = { ...webhooks, secret };
  }
  if (input.proxy !== undefined) config.proxy = input.proxy;
  return config;
}

/**
 * The links of two layers, keyed by label: the later layer's link replaces the earlier's of
 * the same label in place, and its others follow. Undefined when neither layer has links.
 */
export function mergeLinks(
  earlier: readonly InspectorLink[] | undefined,
  later: readonly InspectorLink[] | undefined,
): InspectorLink[] | undefined {
  if (earlier === undefined && later === undefined) return undefined;
  const byLabel = new Map<string, InspectorLink>();
  for (const link of [...(earlier ?? []), ...(later ?? [])]) byLabel.set(link.label, link);
  return [...byLabel.values()];
}

/** The hub's limits from the config's: the per-address default filled in, null as no limit. */
function limitsOf(input: ConfigInput["limits"]): Partial<LimitOptions> {
  const { maxConnectionsPerIp, ...others } = input ?? {};
  const perIp =
    maxConnectionsPerIp === null
      ? Number.POSITIVE_INFINITY
      : (maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP);
  return { ...others, maxConnectionsPerIp: perIp };
}
