import {
  type Codec,
  type ConnectFrame,
  closeCodeOf,
  type ErrorCode,
  parseClientFrame,
  type RequestFrame,
  type RpcFrame,
  SwitchyardError,
} from "@switchyard/protocol";
import { TokenBucket } from "./limits/token-bucket.js";
import type { LimitOptions, Logger } from "./options.js";
import type { HubCounters } from "./stats.js";

/** What an {@link Inbound} needs of the hub. */
export interface InboundContext {
  readonly limits: LimitOptions;
  readonly counters: HubCounters;
  readonly logger: Logger;
}

/** What an {@link Inbound} needs of its connection. */
export interface InboundOwner {
  readonly state: "opening" | "open" | "closing" | "closed";
  readonly clientId: string;
  readonly codec: Codec;
  /** Bytes held for the client (its queue and socket buffer), for the pong cap. */
  readonly queuedBytes: number;
  /** Something arrived from the client: it is alive. */
  heard(): void;
  /** Runs one request (requests.ts); throws a SwitchyardError to refuse it. */
  handle(frame: RequestFrame): Promise<void>;
  replyError(id: number | undefined, error: unknown): void;
  close(reason: ErrorCode, message?: string): void;
}

/** The start of every connection's request chain (shared: a settled promise never changes). */
const SETTLED: Promise<void> = Promise.resolve();
/**
 * How long requests already running may take to be answered once the client's own behaviour
 * (a flood, a failed connect) decided its close.
 */
const REPLY_GRACE_MS = 5_000;
/** Most frames in one inbound batch. */
const MAX_BATCH = 100;

/**
 * The inbound half of a connection: decodes its messages, applies the rate limit, and runs its
 * requests in the order they arrive, pipelined behind `connect` included (docs/protocol.md,
 * "Requests and replies"). Every request read gets exactly one reply; when the client's own
 * requests end the connection (a flood, a failed connect), the close waits for those replies.
 */
export class Inbound {
  private readonly bucket: TokenBucket;
  private chain: Promise<void> = SETTLED;
  /** Connect requests queued or running: requests behind one wait for it. */
  private pendingConnects = 0;
  /** Why the last connect failed; requests pipelined behind it are answered with it. */
  private connectError: SwitchyardError | undefined;
  /** RPCs running beside the request chain (created by the first RPC). */
  private rpcs: Set<Promise<void>> | undefined;
  /**
   * Set once the connection is to close when its requests are answered: why. Messages that
   * arrive from then on are not read.
   */
  private ending: ErrorCode | undefined;

  constructor(
    private readonly core: InboundContext,
    private readonly connection: InboundOwner,
  ) {
    // One options object for every connection: the buckets share its derived settings.
    this.bucket = new TokenBucket(core.limits);
  }

  /** One WebSocket message: a frame or a batch of them. */
  message(data: Buffer, binary: boolean): void {
    const { state } = this.connection;
    if (this.ending !== undefined || state === "closing" || state === "closed") return;
    this.core.counters.messagesIn.total++;
    this.connection.heard();
    if (data.length > this.core.limits.maxMessageBytes) {
      this.replyErrorInOrder(
        undefined,
        new SwitchyardError(
          "message_too_large",
          `The message has ${data.length} bytes; the limit is ${this.core.limits.maxMessageBytes}`,
        ),
      );
      return;
    }
    // Text on a binary codec is a client error, even when its bytes happen to decode.
    if (this.connection.codec.binary && !binary) {
      this.replyErrorInOrder(
        undefined,
        new SwitchyardError("malformed_frame", "MessagePack connections take binary messages"),
      );
      return;
    }
    let decoded: unknown;
    try {
      decoded = this.connection.codec.decode(data);
    } catch {
      const what = this.connection.codec.binary ? "MessagePack" : "JSON";
      this.replyErrorInOrder(
        undefined,
        new SwitchyardError("malformed_frame", `The message is not valid ${what}`),
      );
      return;
    }
    if (!Array.isArray(decoded)) {
      this.frame(decoded);
      return;
    }
    if (decoded.length > MAX_BATCH) {
      this.replyErrorInOrder(
        undefined,
        new SwitchyardError("invalid_frame", `A batch holds at most ${MAX_BATCH} frames`),
      );
      return;
    }
    for (const value of decoded) this.frame(value);
  }

  private frame(value: unknown): void {
    if (this.connection.state !== "opening" && this.connection.state !== "open") return;
    // Past the decision to close, the rest of the batch is refused like the frame that tipped it.
    const verdict = this.ending === undefined ? this.bucket.take() : "close";
    if (verdict === "close") this.closeAfterReplies("rate_limited");
    const parsed = parseClientFrame(value);
    if (!parsed.ok) {
      this.replyErrorInOrder(parsed.id, new SwitchyardError(parsed.code, parsed.message));
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "pong") return;
    if (verdict !== "ok") {
      this.replyErrorInOrder(
        frame.id,
        new SwitchyardError("rate_limited", "Too many messages: slow down"),
      );
      return;
    }
    if (frame.type === "connect") {
      this.pendingConnects++;
      this.inOrder(() => this.connect(frame));
    } else if (this.connection.state === "open") {
      this.dispatch(frame);
    } else if (this.pendingConnects > 0) {
      // Pipelined behind a connect: it runs once the connect is answered.
      this.inOrder(() => this.afterConnect(frame));
    } else {
      this.replyErrorInOrder(frame.id, new SwitchyardError("not_connected"));
    }
  }

  /**
   * Runs a request of an open connection. RPCs may be slow: they run beside the chain.
   * Everything else keeps its order, so a subscribe followed by a publish behaves as written.
   */
  private dispatch(frame: Exclude<RequestFrame, ConnectFrame>): void {
    if (frame.type === "rpc") this.runBeside(frame);
    else this.inOrder(() => this.run(frame));
  }

  /** Runs a request that was queued behind a connect, now that the connect was answered. */
  private afterConnect(frame: Exclude<RequestFrame, ConnectFrame>): Promise<void> | undefined {
    if (this.connection.state === "open") {
      if (frame.type === "rpc") {
        this.runBeside(frame);
        return undefined;
      }
      return this.run(frame);
    }
    if (this.connection.state === "opening") {
      this.connection.replyError(
        frame.id,
        this.connectError ?? new SwitchyardError("not_connected"),
      );
    }
    return undefined;
  }

  private runBeside(frame: RpcFrame): void {
    const running = this.run(frame);
    this.rpcs ??= new Set();
    const rpcs = this.rpcs;
    rpcs.add(running);
    void running.then(() => {
      rpcs.delete(running);
      if (rpcs.size === 0 && this.rpcs === rpcs) this.rpcs = undefined;
    });
  }

  private async connect(frame: ConnectFrame): Promise<void> {
    this.connectError = undefined;
    try {
      await this.connection.handle(frame);
    } catch (error) {
      if (this.connection.state === "closed") return;
      this.connection.replyError(frame.id, error);
      this.connectError =
        error instanceof SwitchyardError ? error : new SwitchyardError("internal_error");
      // Failed authentication ends the connection with its close code, once the requests
      // pipelined behind the connect have had their answer.
      const { code, message } = this.connectError;
      if (closeCodeOf(code) !== undefined) this.closeAfterReplies(code, message);
    } finally {
      this.pendingConnects--;
    }
  }

  private async run(frame: RequestFrame): Promise<void> {
    try {
      await this.connection.handle(frame);
    } catch (error) {
      if (this.connection.state === "closed") return;
      this.connection.replyError(frame.id, error);
    }
  }

  /**
   * A WebSocket ping arrived (called by the transport, which answers with a pong only when
   * this returns true). Pings count against the rate limit like any frame, and their pongs
   * against the queue cap: a client that floods pings and never reads is cut like any other.
   */
  ping(bytes: number): boolean {
    if (
      this.ending !== undefined ||
      (this.connection.state !== "opening" && this.connection.state !== "open")
    ) {
      return false;
    }
    const verdict = this.bucket.take();
    if (verdict === "close") {
      this.closeAfterReplies("rate_limited");
      return false;
    }
    if (verdict === "reject") return false;
    if (this.connection.queuedBytes + bytes > this.core.limits.queueBytes) {
      this.connection.close("slow_consumer");
      return false;
    }
    return true;
  }

  /**
   * Closes the connection once every request that arrived so far has been answered (or
   * {@link REPLY_GRACE_MS} passed): for closes the client's own requests caused, so that each of
   * them still gets its one reply. Messages arriving from now on are not read.
   */
  private closeAfterReplies(reason: ErrorCode, message?: string): void {
    if (this.ending !== undefined) return;
    this.ending = reason;
    // After the message being read: the replies to the rest of its batch join the chain first.
    queueMicrotask(() => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, REPLY_GRACE_MS);
        timer.unref();
      });
      // Neither the chain nor a running RPC rejects: both handle their own errors.
      const answered = Promise.all([this.chain, ...(this.rpcs ?? [])]);
      void Promise.race([answered, grace]).then(() => {
        clearTimeout(timer);
        this.connection.close(reason, message);
      });
    });
  }

  /**
   * Replies with an error once the requests that arrived before have been answered, so a
   * client sees replies in the order of its requests, refused ones included.
   */
  private replyErrorInOrder(id: number | undefined, error: SwitchyardError): void {
    this.inOrder(() => this.connection.replyError(id, error));
  }

  /**
   * Runs `task` after every task queued before it. Once the chain is idle again it goes back
   * to the shared settled promise, so an idle connection holds no promise of its own.
   */
  private inOrder(task: () => unknown): void {
    const settle = () => {
      if (this.chain === next) this.chain = SETTLED;
    };
    // Tasks handle their own errors; should one throw anyway, the chain must go on.
    const next: Promise<void> = this.chain.then(task).then(settle, (error: unknown) => {
      settle();
      this.core.logger.error({ err: error, clientId: this.connection.clientId }, "request failed");
    });
    this.chain = next;
  }
}
