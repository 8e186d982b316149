import { SwitchyardError } from "@switchyard/protocol";
import type { Logger } from "@switchyard/server";
import { createClient, RESP_TYPES } from "redis";
import { SCRIPTS, type Script } from "./scripts.js";

/** A node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

/** Replies with every string as a Buffer: payloads are binary. */
const BUFFERS = {
  typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer },
};

/** Options of a {@link RedisLink}. */
export interface RedisLinkOptions {
  url: string;
  connectTimeout: number;
  startTimeout: number;
  reconnect: { initialDelay: number; maxDelay: number };
  /** Skip the server-process check of channel keys (see `durableRedis`). */
  durable: boolean;
  logger: Logger;
  /** Called when {@link RedisLink.ready} changes. */
  onReadyChange: (ready: boolean) => void;
  /** Called when the subscriber connection is back (and resubscribed) after a drop. */
  onSubscriberRestored: () => void;
}

/** `redis://user:secret@host` → `redis://user:***@host`, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid Redis URL)";
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/**
 * The node's two connections to Redis: one for commands (scripts, reads, PUBLISH from the
 * scripts) and one for pub/sub. Each reconnects on its own with full-jitter exponential
 * backoff; node-redis resubscribes the subscriber's channels before it is ready again.
 * Commands are never queued while disconnected: they fail at once, so a publish is never
 * silently delayed past an outage.
 */
export class RedisLink {
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;
  private commandsReady = false;
  private subscriberReady = false;
  private subscriberConnected = false;
  private lastReady = false;
  private closed = false;
  private lastError: unknown;
  private serverRunId = "";

  constructor(private readonly options: RedisLinkOptions) {
    const { initialDelay, maxDelay } = options.reconnect;
    this.commands = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeout,
        // Full jitter: nodes that lost Redis together do not come back in lockstep.
        reconnectStrategy: (retries: number) =>
          Math.round(Math.random() * Math.min(maxDelay, initialDelay * 2 ** Math.min(retries, 20))),
      },
    });
    this.subscriber = this.commands.duplicate();
    this.commands.on("ready", () => void this.prepareCommands());
    this.commands.on("error", (error: unknown) => this.dropped("commands", error));
    this.subscriber.on("ready", () => this.subscriberUp());
    this.subscriber.on("error", (error: unknown) => this.dropped("subscriber", error));
  }

  /** True while both connections are up and the scripts are loaded. */
  ready(): boolean {
    return !this.closed && this.commandsReady && this.subscriberReady;
  }

  /**
   * Connects both clients, retrying with backoff for up to `startTimeout` ms; rejects with a
   * `SwitchyardError` naming the (redacted) URL when Redis stays unreachable.
   */
  async open(): Promise<void> {
    const connected = Promise.all([this.commands.connect(), this.subscriber.connect()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.options.startTimeout);
    });
    try {
      const outcome = await Promise.race([connected.then(() => "connected" as const), timeout]);
      if (outcome === "timeout") {
        connected.catch(() => {});
        this.destroy();
        const cause = this.lastError instanceof Error ? `: ${this.lastError.message}` : "";
        throw new SwitchyardError(
          "broker_unavailable",
          `Redis at ${redactUrl(this.options.url)} is unreachable after ${this.options.startTimeout} ms${cause}`,
        );
      }
      await this.prepareCommands();
    } catch (error) {
      this.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The run_id of the Redis server process the command connection talks to (empty when
   * durable or unknown). Channel keys written under another one start a new epoch.
   */
  get boot(): string {
    return this.serverRunId;
  }

  /** The command connection; throws a `SwitchyardError` while it is not usable. */
  client(): RedisClient {
    if (this.closed) throw new SwitchyardError("internal_error", "broker closed");
    if (!this.commandsReady)
      throw new SwitchyardError("broker_unavailable", "Redis is unreachable");
    return this.commands;
  }

  /** Runs a script on the command connection; replies hold Buffers for strings. */
  async run<T>(script: Script, keys: readonly string[], args: readonly (string | Buffer)[]) {
    this.client();
    const count = String(keys.length);
    try {
      return await this.commands.sendCommand<T>(
        ["EVALSHA", script.sha, count, ...keys, ...args],
        BUFFERS,
      );
    } catch (error) {
      // Only after SCRIPT FLUSH by an operator: every (re)connect loads the scripts first.
      if (!isNoScript(error)) throw error;
      return this.commands.sendCommand<T>(
        ["EVAL", script.source, count, ...keys, ...args],
        BUFFERS,
      );
    }
  }

  /** Closes both connections (at once when Redis is unreachable). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.update();
    await Promise.all(
      [this.commands, this.subscriber].map(async (client) => {
        if (!client.isOpen) return;
        if (client.isReady) await client.close().catch(() => client.destroy());
        else client.destroy();
      }),
    );
  }

  private destroy(): void {
    for (const client of [this.commands, this.subscriber]) {
      if (client.isOpen) client.destroy();
    }
  }

  /** Loads the scripts after each (re)connect, before the first publish may run one. */
  private async prepareCommands(): Promise<void> {
    if (this.commandsReady || !this.commands.isReady) return;
    try {
      for (const script of SCRIPTS) {
        await this.commands.sendCommand(["SCRIPT", "LOAD", script.source]);
      }
      this.serverRunId = this.options.durable ? "" : await this.runId();
    } catch (error) {
      // Dropped again meanwhile: the next "ready" loads them.
      this.options.logger.debug({ err: error }, "loading Redis scripts failed");
      return;
    }
    if (!this.commands.isReady) return;
    this.commandsReady = true;
    this.update();
  }

  /** The server's run_id (new on every restart), from INFO; empty when INFO is refused. */
  private async runId(): Promise<string> {
    try {
      const info = String(await this.commands.sendCommand(["INFO", "server"]));
      return /^run_id:([0-9a-f]+)/m.exec(info)?.[1] ?? "";
    } catch (error) {
      // Some managed services restrict INFO: run without the restart check then.
      if (!this.commands.isReady) throw error;
      this.options.logger.warn({ err: error }, "INFO refused: Redis restarts are not detected");
      return "";
    }
  }

  private subscriberUp(): void {
    const restored = this.subscriberConnected;
    this.subscriberConnected = true;
    this.subscriberReady = true;
    this.update();
    if (restored && !this.closed) this.options.onSubscriberRestored();
  }

  private dropped(which: "commands" | "subscriber", error: unknown): void {
    this.lastError = error;
    const wasReady = this.ready();
    if (which === "commands" && !this.commands.isReady) this.commandsReady = false;
    if (which === "subscriber" && !this.subscriber.isReady) this.subscriberReady = false;
    if (wasReady && !this.closed) {
      this.options.logger.warn(
        { err: error, url: redactUrl(this.options.url) },
        "Redis connection lost; reconnecting",
      );
    } else {
      this.options.logger.debug({ err: error, connection: which }, "Redis connection error");
    }
    this.update();
  }

  private update(): void {
    const now = this.ready();
    if (now === this.lastReady) return;
    this.lastReady = now;
    if (now) this.options.logger.info({ url: redactUrl(this.options.url) }, "Redis ready");
    this.options.onReadyChange(now);
  }
}
