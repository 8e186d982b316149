import { randomBytes } from "node:crypto";

/** The lifecycle events a hub reports to its webhook (docs/webhooks.md). */
export const WEBHOOK_EVENTS = [
  "connected",
  "disconnected",
  "subscribed",
  "unsubscribed",
  "presence_join",
  "presence_leave",
  "channel_occupied",
  "channel_vacated",
  "job_completed",
  "job_failed",
  "job_cancelled",
] as const;

/** The name of one webhook event type. */
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** How events are grouped into one request. */
export interface WebhookBatchOptions {
  /**
   * At most this many events per request.
   * @default 100
   */
  size?: number;
  /**
   * Milliseconds an event waits for others to join its request (a full batch goes at once).
   * @default 250
   */
  window?: number;
}

/** How a request that failed is tried again. */
export interface WebhookRetryOptions {
  /**
   * Milliseconds a batch is retried for, from its first try; then it is dropped (counted in
   * `stats().features.webhooks.dropped`, and logged).
   * @default 300_000
   */
  maxTime?: number;
  /**
   * Milliseconds before the first retry; each retry waits twice as long as the one before,
   * up to `maxDelay`, with full jitter.
   * @default 1_000
   */
  initialDelay?: number;
  /**
   * The longest wait between two tries, in milliseconds.
   * @default 30_000
   */
  maxDelay?: number;
}

/** Signed webhooks for lifecycle events (docs/webhooks.md). */
export interface WebhookOptions {
  /** The backend's endpoint: every batch is POSTed here as JSON. */
  url: string;
  /**
   * The shared secret of the `Switchyard-Signature` header's HMAC. Several during a rotation:
   * each request is signed with each (one `v1=` per secret), so a receiver that knows either
   * accepts it.
   */
  secret: string | readonly string[];
  /**
   * The event types to send.
   * @default every type (WEBHOOK_EVENTS)
   */
  events?: readonly WebhookEventName[];
  batch?: WebhookBatchOptions;
  retry?: WebhookRetryOptions;
  /**
   * Milliseconds one request may take before it counts as failed (and is retried).
   * @default 10_000
   */
  timeout?: number;
  /**
   * Requests in flight at once (a batch being retried holds one).
   * @default 2
   */
  concurrency?: number;
  /**
   * Events waiting to be sent at most; past it new events are dropped (counted, logged).
   * @default 10_000
   */
  maxQueue?: number;
  /**
   * Milliseconds a presence leave and a channel's `vacated` wait, so that a client that comes
   * back at once (a reload, a reconnect) causes neither leave-then-join nor vacated-then-occupied.
   * @default 5_000 (the presence leave grace)
   */
  grace?: number;
  /**
   * This node's name in every event's `node` field (the CLI gives its cluster node id).
   * @default `node-<8 random hex digits>`
   */
  node?: string;
  /**
   * Milliseconds `hub.close()` waits for the events still queued to be delivered; the rest
   * are dropped.
   * @default 5_000
   */
  closeTimeout?: number;
}

/** The defaults of {@link WebhookOptions}. */
export const DEFAULT_WEBHOOK_OPTIONS = {
  batch: { size: 100, window: 250 },
  retry: { maxTime: 300_000, initialDelay: 1_000, maxDelay: 30_000 },
  timeout: 10_000,
  concurrency: 2,
  maxQueue: 10_000,
  grace: 5_000,
  closeTimeout: 5_000,
} as const;

/** {@link WebhookOptions} with every default filled in and checked. */
export interface ResolvedWebhookOptions {
  url: string;
  secrets: readonly string[];
  events: ReadonlySet<WebhookEventName>;
  batch: Required<WebhookBatchOptions>;
  retry: Required<WebhookRetryOptions>;
  timeout: number;
  concurrency: number;
  maxQueue: number;
  grace: number;
  node: string;
  closeTimeout: number;
}

/** Fills in the defaults; throws a TypeError naming the first bad option. */
export function resolveWebhookOptions(options: WebhookOptions): ResolvedWebhookOptions {
  const { url } = options;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new TypeError(`webhooks.url must be an http(s) URL, not ${JSON.stringify(url)}`);
  }
  const secrets = typeof options.secret === "string" ? [options.secret] : [...options.secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new TypeError("webhooks.secret must be a non-empty string or a list of them");
  }
  const events = new Set(options.events ?? WEBHOOK_EVENTS);
  for (const name of events) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(name)) {
      throw new TypeError(`webhooks.events: unknown event type ${JSON.stringify(name)}`);
    }
  }
  const defaults = DEFAULT_WEBHOOK_OPTIONS;
  const resolved: ResolvedWebhookOptions = {
    url,
    secrets,
    events,
    batch: { ...defaults.batch, ...options.batch },
    retry: { ...defaults.retry, ...options.retry },
    timeout: options.timeout ?? defaults.timeout,
    concurrency: options.concurrency ?? defaults.concurrency,
    maxQueue: options.maxQueue ?? defaults.maxQueue,
    grace: options.grace ?? defaults.grace,
    node: options.node ?? `node-${randomBytes(4).toString("hex")}`,
    closeTimeout: options.closeTimeout ?? defaults.closeTimeout,
  };
  const positive: [string, number][] = [
    ["batch.size", resolved.batch.size],
    ["retry.initialDelay", resolved.retry.initialDelay],
    ["retry.maxDelay", resolved.retry.maxDelay],
    ["timeout", resolved.timeout],
    ["concurrency", resolved.concurrency],
    ["maxQueue", resolved.maxQueue],
  ];
  const nonNegative: [string, number][] = [
    ["batch.window", resolved.batch.window],
    ["retry.maxTime", resolved.retry.maxTime],
    ["grace", resolved.grace],
    ["closeTimeout", resolved.closeTimeout],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`webhooks.${name} must be a positive number, not ${value}`);
    }
  }
  for (const [name, value] of nonNegative) {
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`webhooks.${name} must be a number ≥ 0, not ${value}`);
    }
  }
  if (!Number.isInteger(resolved.batch.size) || !Number.isInteger(resolved.concurrency)) {
    throw new TypeError("webhooks.batch.size and webhooks.concurrency must be integers");
  }
  return resolved;
}
