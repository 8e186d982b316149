import { SwitchyardError } from "@switchyard/protocol";
import type { Logger } from "../../core/options.js";
import { BackendClient, PostError } from "../../http/post.js";
import { SIGNATURE_HEADER, signWebhook } from "../../http/signature.js";

/** Which hook a request is for (names the figures and the log lines). */
export type HookName = "connect" | "refresh" | "subscribe" | "publish" | "rpc";

/** Lowest and highest `error.code` a backend may answer with (its own codes). */
export const BACKEND_CODE_RANGE = [1000, 1999] as const;

/** The largest answer a backend may give, in bytes. */
const MAX_ANSWER_BYTES = 1_048_576;
/** The longest refusal message passed on to the client. */
const MAX_MESSAGE_LENGTH = 256;

/** What the proxies count, for `hub.stats().features.proxy`. */
export class ProxyCounters {
  calls = 0;
  refused = 0;
  failed = 0;
  timedOut = 0;
  invalid = 0;
  /** Turned away at once: the backend's slots and waiting line were full. */
  overloaded = 0;
}

/**
 * The requests to one backend URL: at most `concurrency` in flight and as many waiting, the
 * rest refused at once. No request is retried: the hub cannot know whether a backend that
 * did not answer acted (an RPC may have started work); the client decides.
 */
export class Backend {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly client: BackendClient;

  constructor(
    readonly url: string,
    private readonly concurrency: number,
    private readonly secret: string | undefined,
    private readonly counters: ProxyCounters,
    private readonly logger: Logger,
    /** Aborted when the hub closes: requests still waiting for a backend end with it. */
    private readonly closed: AbortSignal,
  ) {
    this.client = new BackendClient(url);
    closed.addEventListener("abort", () => this.client.close(), { once: true });
  }

  /**
   * POSTs `body` and resolves with the backend's `result` object; rejects with a
   * `SwitchyardError`: `backend_error` (the backend's refusal, `details` `{code, message,
   * temporary}`), `backend_unavailable`, `backend_timeout` or `backend_invalid_answer`.
   */
  async call(hook: HookName, body: unknown, timeout: number): Promise<Record<string, unknown>> {
    this.counters.calls++;
    // One timeout covers the wait for a slot and the request. Timers of our own, not
    // AbortSignal.timeout: see http/post.ts.
    const deadline = performance.now() + timeout;
    await this.acquire(hook, timeout);
    try {
      const left = Math.max(1, deadline - performance.now());
      return await this.post(hook, JSON.stringify(body), left, timeout);
    } finally {
      this.release();
    }
  }

  private async acquire(hook: HookName, timeout: number): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    if (this.waiting.length >= this.concurrency) {
      this.counters.overloaded++;
      throw new SwitchyardError(
        "backend_unavailable",
        `The backend of the ${hook} hook is busy (${this.concurrency} requests in flight and as many waiting)`,
        { hook, reason: "overloaded" },
      );
    }
    const { closed } = this;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => giveUp(timedOut(hook)), timeout);
      const onClose = () =>
        giveUp(new SwitchyardError("backend_unavailable", "The hub is closing", { hook }));
      const go = () => {
        clearTimeout(timer);
        closed.removeEventListener("abort", onClose);
        resolve();
      };
      const giveUp = (error: SwitchyardError) => {
        clearTimeout(timer);
        closed.removeEventListener("abort", onClose);
        const index = this.waiting.indexOf(go);
        if (index !== -1) this.waiting.splice(index, 1);
        if (error.code === "backend_timeout") this.counters.timedOut++;
        reject(error);
      };
      this.waiting.push(go);
      if (closed.aborted) onClose();
      else closed.addEventListener("abort", onClose, { once: true });
    });
    // The slot was handed over by release(): inFlight already counts it.
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** `left`: ms until the call's deadline; `timeout`: the hook's whole timeout, for messages. */
  private async post(
    hook: HookName,
    text: string,
    left: number,
    timeout: number,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "switchyard-proxy",
    };
    if (this.secret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(text, this.secret);
    let answer: string;
    try {
      const response = await this.client.post(text, headers, {
        timeout: left,
        signal: this.closed,
        maxAnswerBytes: MAX_ANSWER_BYTES,
      });
      answer = response.text;
      if (response.status < 200 || response.status > 299) {
        this.counters.failed++;
        this.logger.warn({ hook, url: this.url, status: response.status }, "backend failed");
        throw new SwitchyardError(
          "backend_unavailable",
          `The backend of the ${hook} hook answered HTTP ${response.status}`,
          { hook, status: response.status },
        );
      }
    } catch (error) {
      if (error instanceof SwitchyardError) throw error;
      const reason = error instanceof PostError ? error.reason : "unreachable";
      if (this.closed.aborted) {
        throw new SwitchyardError("backend_unavailable", "The hub is closing", { hook });
      }
      if (reason === "timeout" || reason === "aborted") {
        this.counters.timedOut++;
        this.logger.warn({ hook, url: this.url, timeout }, "backend timed out");
        throw timedOut(hook, timeout);
      }
      if (reason === "too_large") throw this.invalid(hook, "the answer is over 1 MiB");
      this.counters.failed++;
      this.logger.warn({ hook, url: this.url, err: error }, "backend unreachable");
      throw new SwitchyardError(
        "backend_unavailable",
        `The backend of the ${hook} hook could not be reached`,
        { hook },
      );
    }
    return this.read(hook, answer);
  }

  /** Reads `{"result": {...}}` or `{"error": {code, message, temporary?}}`. */
  private read(hook: HookName, text: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.invalid(hook, "the answer is not JSON");
    }
    if (!isObject(value)) throw this.invalid(hook, "the answer is not a JSON object");
    if (value.error !== undefined) {
      const { error } = value;
      if (
        !isObject(error) ||
        !Number.isInteger(error.code) ||
        (error.code as number) < BACKEND_CODE_RANGE[0] ||
        (error.code as number) > BACKEND_CODE_RANGE[1] ||
        typeof error.message !== "string" ||
        (error.temporary !== undefined && typeof error.temporary !== "boolean")
      ) {
        throw this.invalid(
          hook,
          `'error' must be {code: an integer ${BACKEND_CODE_RANGE[0]}-${BACKEND_CODE_RANGE[1]}, message: a string, temporary?: a boolean}`,
        );
      }
      this.counters.refused++;
      const message = error.message.slice(0, MAX_MESSAGE_LENGTH);
      throw new SwitchyardError("backend_error", message || undefined, {
        code: error.code,
        message,
        temporary: error.temporary === true,
      });
    }
    const result = value.result ?? {};
    if (!isObject(result)) throw this.invalid(hook, "'result' must be an object");
    return result;
  }

  /** A `backend_invalid_answer` error, counted and logged (also for results the hooks check). */
  invalid(hook: HookName, why: string): SwitchyardError {
    this.counters.invalid++;
    this.logger.warn({ hook, url: this.url, why }, "backend gave an invalid answer");
    return new SwitchyardError(
      "backend_invalid_answer",
      `The backend of the ${hook} hook gave an invalid answer: ${why}`,
      { hook },
    );
  }
}

function timedOut(hook: HookName, timeout?: number): SwitchyardError {
  return new SwitchyardError(
    "backend_timeout",
    `The backend of the ${hook} hook did not answer in time${timeout === undefined ? "" : ` (${timeout} ms)`}`,
    { hook },
  );
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
