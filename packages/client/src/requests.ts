import type { ConnectResult, ReplyFrame, RequestFrame } from "@switchyard/protocol";
import { ClientError, errorFromPayload } from "./errors.js";
import { SendBudget } from "./send-budget.js";

type WithoutId<F> = F extends unknown ? Omit<F, "id"> : never;

/** A request frame before it gets its id. */
export type RequestBody = WithoutId<Exclude<RequestFrame, { type: "connect" }>>;

/** Per-call options of publishes and RPC calls. */
export interface CallOptions {
  /**
   * Milliseconds to wait for the reply, time in the outbox included; `Infinity` waits forever.
   * @default the client's `requestTimeout`
   */
  timeout?: number;
  /** Aborts the call: it rejects with a `ClientError` `aborted` (the server may still run it). */
  signal?: AbortSignal;
}

/** How the queue treats one request. */
export interface RequestMode extends CallOptions {
  /**
   * `outbox`: a user call (publish, RPC), bounded by the outbox limit and kept while the link
   * is down. `control`: the client's own bookkeeping (subscribe, ping, refresh), sent first and
   * dropped when the link goes down (it is redone on the next link).
   */
  lane: "outbox" | "control";
  /** Safe to send again after the link dropped before the reply (idempotent publishes). */
  resend?: boolean;
}

/** Called once with the outcome of a request: an error, or undefined and the result. */
export type Settle = (error: unknown, result?: unknown) => void;

interface Entry {
  readonly id: number;
  readonly body: RequestBody;
  readonly mode: RequestMode;
  state: "queued" | "sent" | "settled";
  readonly done: Settle;
  cleanup?: () => void;
}

/** Where frames go once the link is up. */
export interface FrameSink {
  /** Sends one frame; throws a `SwitchyardError` when it cannot be sent (too large). */
  send(frame: RequestFrame): void;
}

/**
 * Request bookkeeping: ids, the outbox of calls waiting for the link, the requests waiting
 * for their reply, pacing to the server's rate limit, timeouts and aborts. Every call settles
 * exactly once: by its reply, its timeout, its abort, a lost link or the client closing.
 */
export class Requests {
  readonly #sink: FrameSink;
  readonly #limit: number;
  readonly #timeout: number;
  readonly #budget = new SendBudget();
  readonly #control: Entry[] = [];
  #outbox: Entry[] = [];
  readonly #waiting = new Map<number, Entry>();
  #nextId = 1;
  #live = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(sink: FrameSink, options: { limit: number; timeout: number }) {
    this.#sink = sink;
    this.#limit = options.limit;
    this.#timeout = options.timeout;
  }

  /** Calls waiting in the outbox for the link (not yet sent). */
  get queued(): number {
    return this.#outbox.length;
  }

  /** Sends a request (or queues it) and resolves with the reply's result. */
  call(body: RequestBody, mode: RequestMode): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.request(body, mode, (error, result) => {
        if (error === undefined) resolve(result);
        else reject(error);
      });
    });
  }

  /**
   * Sends a request (or queues it); `done` is called exactly once, synchronously when the
   * reply is handled, so that frames following the reply in the same message are handled
   * after it.
   */
  request(body: RequestBody, mode: RequestMode, done: Settle): void {
    if (mode.signal?.aborted) {
      done(new ClientError("aborted", undefined, { cause: mode.signal.reason }));
      return;
    }
    if (mode.lane === "outbox" && this.#outbox.length >= this.#limit) {
      done(
        new ClientError(
          "outbox_full",
          `The outbox is full (${this.#limit} calls wait for the link)`,
        ),
      );
      return;
    }
    const entry: Entry = { id: this.#nextId++, body, mode, state: "queued", done };
    this.#arm(entry);
    (mode.lane === "control" ? this.#control : this.#outbox).push(entry);
    this.#drain();
  }

  /** The link is up: pace to the server's limits and send what waits. */
  open(limits: ConnectResult["limits"] | undefined): void {
    this.#live = true;
    this.#budget.open(limits?.rate, limits?.burst, 1);
    this.#drain();
  }

  /**
   * The link is down. Control requests are dropped (rejected with `connection_lost`; their
   * owners redo them on the next link). Sent calls that are safe to resend go back to the
   * front of the outbox in their original order; other sent calls reject with
   * `connection_lost`, since they may or may not have run.
   */
  down(): void {
    this.#live = false;
    this.#stopTimer();
    const lost = () => new ClientError("connection_lost");
    for (const entry of this.#control.splice(0)) this.#settle(entry, lost());
    const resend: Entry[] = [];
    for (const entry of [...this.#waiting.values()]) {
      if (entry.mode.resend) {
        this.#waiting.delete(entry.id);
        entry.state = "queued";
        resend.push(entry);
      } else {
        this.#settle(entry, lost());
      }
    }
    resend.sort((a, b) => a.id - b.id);
    this.#outbox = [...resend, ...this.#outbox];
  }

  /** Settles the request a reply belongs to; false when none waits for it (late reply). */
  reply(frame: ReplyFrame): boolean {
    const entry = this.#waiting.get(frame.id);
    if (!entry) return false;
    if ("error" in frame && frame.error) this.#settle(entry, errorFromPayload(frame.error));
    else this.#settle(entry, undefined, (frame as { result?: unknown }).result);
    return true;
  }

  /** Rejects every queued and waiting request with `error`. */
  rejectAll(error: unknown): void {
    this.#stopTimer();
    const entries = [...this.#control, ...this.#outbox, ...this.#waiting.values()];
    for (const entry of entries) this.#settle(entry, error);
  }

  #arm(entry: Entry): void {
    const { signal } = entry.mode;
    const timeout = entry.mode.timeout ?? (entry.mode.lane === "outbox" ? this.#timeout : Infinity);
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (Number.isFinite(timeout)) {
      timer = setTimeout(() => this.#settle(entry, new ClientError("request_timeout")), timeout);
    }
    const onAbort = () =>
      this.#settle(entry, new ClientError("aborted", undefined, { cause: signal?.reason }));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timer !== undefined || signal) {
      entry.cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
    }
  }

  #settle(entry: Entry, error: unknown, result?: unknown): void {
    if (entry.state === "settled") return;
    const wasQueued = entry.state === "queued";
    entry.state = "settled";
    entry.cleanup?.();
    if (wasQueued) {
      const queue = entry.mode.lane === "control" ? this.#control : this.#outbox;
      const index = queue.indexOf(entry);
      if (index !== -1) queue.splice(index, 1);
    } else {
      this.#waiting.delete(entry.id);
    }
    entry.done(error, result);
  }

  #drain(): void {
    this.#stopTimer();
    while (this.#live && (this.#control.length > 0 || this.#outbox.length > 0)) {
      if (!this.#budget.take()) {
        this.#timer = setTimeout(() => this.#drain(), this.#budget.wait());
        return;
      }
      const entry = (this.#control.length > 0 ? this.#control : this.#outbox).shift()!;
      entry.state = "sent";
      this.#waiting.set(entry.id, entry);
      try {
        this.#sink.send({ ...entry.body, id: entry.id } as RequestFrame);
      } catch (error) {
        this.#settle(entry, error);
      }
    }
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
