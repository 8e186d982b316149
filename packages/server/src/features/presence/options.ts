import type { AccessContext } from "../../core/options.js";

/** Presence settings of one namespace (`presence.namespaces[name]`). */
export interface PresenceNamespaceOptions {
  /**
   * Milliseconds a lost connection (network drop, missed pongs, a server restart) stays
   * present before it leaves: a reconnect of the same session within it emits no leave and
   * no join. An explicit leave (unsubscribe, a normal close) is immediate. 0: a lost
   * connection leaves at once too.
   * @default 5_000
   */
  grace?: number;
  /**
   * Above this many members, the channel is count-only for pushes: subscribe replies carry
   * the count without members, and `$presence` events the count without who joined or left.
   * `presence.list` and the HTTP API still page.
   * @default 1_000
   */
  cap?: number;
  /**
   * The presence info of a connection, shown to everyone on the channel. Return plain data
   * (what the key-value store carries).
   * @default the info a connect decision gave (the connect proxy's `info`), else the token's
   * `presence` claim, else null
   */
  info?: (client: AccessContext) => unknown;
}

/** Options of the presence feature (`createHub({ presence })`, `presenceFeature`). */
export interface PresenceOptions {
  /**
   * The namespaces with presence on, with their settings (`true`: the defaults). Presence on
   * any other namespace is `presence_disabled`.
   * @default {} (presence off everywhere)
   */
  namespaces?: Record<string, PresenceNamespaceOptions | true>;
  /**
   * Milliseconds a node's entry lives in the broker unless the node refreshes it: a node
   * that dies loses its members within `ttl + reapInterval`.
   * @default 15_000
   */
  ttl?: number;
  /**
   * Milliseconds between two refreshes of this node's entries (one pipelined batch).
   * Keep it well under `ttl`.
   * @default 5_000
   */
  refreshInterval?: number;
  /**
   * Milliseconds between two looks for expired entries (a dead node's) on the channels this
   * node serves; their leaves are published once, by the node that takes them out.
   * @default 5_000
   */
  reapInterval?: number;
  /**
   * Milliseconds over which a node gathers the joins and leaves of a channel into one
   * `$presence` event.
   * @default 100
   */
  batchWindow?: number;
  /**
   * Most joins and leaves in one `$presence` event; a fuller batch goes out at once.
   * @default 500
   */
  maxBatch?: number;
}

/** The defaults of {@link PresenceOptions} and {@link PresenceNamespaceOptions}. */
export const DEFAULT_PRESENCE_OPTIONS = {
  grace: 5_000,
  cap: 1_000,
  ttl: 15_000,
  refreshInterval: 5_000,
  reapInterval: 5_000,
  batchWindow: 100,
  maxBatch: 500,
} as const;

/** Members in the first page of a subscribe reply, and in a `presence.list` page by default. */
export const DEFAULT_PAGE_SIZE = 100;

/** The resolved settings of one namespace. */
export interface NamespacePresence {
  readonly grace: number;
  readonly cap: number;
  readonly info: (client: AccessContext) => unknown;
}

/** The resolved options. */
export interface ResolvedPresenceOptions {
  readonly namespaces: ReadonlyMap<string, NamespacePresence>;
  readonly ttl: number;
  readonly refreshInterval: number;
  readonly reapInterval: number;
  readonly batchWindow: number;
  readonly maxBatch: number;
}

const claimInfo = (client: AccessContext): unknown =>
  client.userInfo ?? client.claims.presence ?? null;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`presence ${name} must be a positive number, not ${value}`);
  }
  return value;
}

/** Fills in the defaults and checks the numbers. */
export function resolvePresenceOptions(options: PresenceOptions = {}): ResolvedPresenceOptions {
  const d = DEFAULT_PRESENCE_OPTIONS;
  const namespaces = new Map<string, NamespacePresence>();
  for (const [name, option] of Object.entries(options.namespaces ?? {})) {
    const each = option === true ? {} : option;
    namespaces.set(name, {
      grace: each.grace === 0 ? 0 : positive("grace", each.grace, d.grace),
      cap: positive("cap", each.cap, d.cap),
      info: each.info ?? claimInfo,
    });
  }
  const ttl = positive("ttl", options.ttl, d.ttl);
  return {
    namespaces,
    ttl,
    refreshInterval: positive("refreshInterval", options.refreshInterval, d.refreshInterval),
    reapInterval: positive("reapInterval", options.reapInterval, d.reapInterval),
    batchWindow: positive("batchWindow", options.batchWindow, d.batchWindow),
    maxBatch: positive("maxBatch", options.maxBatch, d.maxBatch),
  };
}
