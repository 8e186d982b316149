import type { Logger } from "../../core/options.js";
import { BackendClient } from "../../http/post.js";
import { SIGNATURE_HEADER, signWebhook } from "../../http/signature.js";
import type { WebhookEvent } from "./events.js";
import type { ResolvedWebhookOptions } from "./options.js";

/** What the sender needs of the resolved options. */
export type SenderOptions = Pick<
  ResolvedWebhookOptions,
  "url" | "secrets" | "timeout" | "concurrency" | "maxQueue" | "retry"
>;

/** The sender's figures (`stats().features.webhooks`). */
export interface WebhookSenderStats {
  /** Events the backend accepted (answered 2xx). */
  sent: number;
  /** Requests tried again after a failure. */
  retried: number;
  /** Events given up: the queue was full, retries ran out, or the hub closed first. */
  dropped: number;
  /** Events waiting or in flight. */
  queued: number;
}

/**
 * POSTs batches of events to the backend, signed, at most `concurrency` requests at once.
 * A batch that fails (network error, timeout, any status but 2xx) is tried again with the
 * same body, so the same event ids, after an exponential backoff with full jitter, until
 * `retry.maxTime` has passed since its first try; then it is dropped, counted and logged.
 * Delivery is at least once: the backend de-duplicates by event id.
 */
export class WebhookSender {
  private readonly waiting: WebhookEvent[][] = [];
  private inFlight = 0;
  private queuedEvents = 0;
  private closed = false;
  private readonly stopped = new AbortController();
  private readonly idle = new Set<() => void>();
  private readonly counts = { sent: 0, retried: 0, dropped: 0 };
  /** The URL without its query, for logs (a query may carry a token). */
  private readonly endpoint: string;
  private readonly client: BackendClient;

  constructor(
    private readonly options: SenderOptions,
    private readonly logger: Logger,
  ) {
    this.client = new BackendClient(options.url);
    const { url } = this.client;
    this.endpoint = `${url.origin}${url.pathname}`;
  }

  /** Queues a batch; drops it (counted, logged) when the queue is full or the sender closed. */
  send(events: WebhookEvent[]): void {
    if (this.closed || this.queuedEvents + events.length > this.options.maxQueue) {
      this.drop(events, this.closed ? "the hub closed" : "the webhook queue is full");
      return;
    }
    this.queuedEvents += events.length;
    this.waiting.push(events);
    this.pump();
  }

  stats(): WebhookSenderStats {
    return { ...this.counts, queued: this.queuedEvents };
  }

  /** Resolves once nothing is queued: every batch was delivered or dropped. */
  whenIdle(): Promise<void> {
    if (this.queuedEvents === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /**
   * Waits up to `timeout` ms for every queued batch to be delivered, then stops: batches still
   * waiting or retrying are dropped.
   */
  async close(timeout: number): Promise<void> {
    if (this.queuedEvents > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeout);
        }),
      ]);
      clearTimeout(timer);
    }
    this.closed = true;
    this.stopped.abort();
    this.client.close();
    for (const events of this.waiting.splice(0)) this.settle(events, false, "the hub closed");
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && !this.closed) {
      const events = this.waiting.shift();
      if (events === undefined) return;
      this.inFlight++;
      void this.deliver(events).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async deliver(events: WebhookEvent[]): Promise<void> {
    const body = JSON.stringify({ events });
    const { maxTime, initialDelay, maxDelay } = this.options.retry;
    const firstTry = Date.now();
    for (let attempt = 0; ; attempt++) {
      const failure = await this.post(body);
      if (failure === undefined) {
        this.settle(events, true);
        return;
      }
      const ceiling = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt, 30));
      const delay = Math.random() * ceiling;
      if (this.closed || Date.now() + delay - firstTry > maxTime) {
        this.settle(events, false, this.closed ? "the hub closed" : `retries ran out: ${failure}`);
        return;
      }
      this.logger.debug({ failure, attempt, delay: Math.round(delay) }, "webhook retry");
      this.counts.retried++;
      await this.wait(delay);
      if (this.closed) {
        this.settle(events, false, "the hub closed");
        return;
      }
    }
  }

  /** One signed POST; undefined when the backend accepted it, else why it failed. */
  private async post(body: string): Promise<string | undefined> {
    try {
      const { status } = await this.client.post(
        body,
        {
          "content-type": "application/json",
          "user-agent": "Switchyard-Webhooks/1",
          [SIGNATURE_HEADER]: signWebhook(body, this.options.secrets),
        },
        // The answer is read to the end, so its connection serves the next request; only its
        // status matters.
        { timeout: this.options.timeout, signal: this.stopped.signal, maxAnswerBytes: 1_048_576 },
      );
      return status >= 200 && status <= 299 ? undefined : `status ${status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const signal = this.stopped.signal;
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }

  private settle(events: WebhookEvent[], sent: boolean, reason?: string): void {
    this.queuedEvents -= events.length;
    if (sent) this.counts.sent += events.length;
    else this.drop(events, reason ?? "failed");
    if (this.queuedEvents === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  private drop(events: WebhookEvent[], reason: string): void {
    this.counts.dropped += events.length;
    this.logger.error(
      { dropped: events.length, first: events[0]?.id, url: this.endpoint, reason },
      "webhook events dropped",
    );
  }
}
