import {
  isValidChannel,
  isValidEventName,
  type PublishFrame,
  type PublishResult,
  type RefreshResult,
  type ServerFrame,
  SwitchyardError,
} from "@switchyard/protocol";
import { Connection } from "./connection.js";
import type { ConnectionState } from "./connection-state.js";
import type {
  ChannelEvent,
  ChannelName,
  Contract,
  DataArgs,
  EventInput,
  EventName,
  RpcInput,
  RpcMethod,
  RpcOutput,
} from "./contract.js";
import { watchEnvironment } from "./environment.js";
import { ClientError, errorFromPayload } from "./errors.js";
import { type Job, type JobLink, watchJob } from "./job.js";
import { type JobList, watchJobs } from "./job-list.js";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { type Presence, watchPresence } from "./presence.js";
import { type CallOptions, Requests } from "./requests.js";
import { randomId, resolveSessionId, storeSessionId } from "./session.js";
import { type StateLink, type StateStore, type StateStoreOptions, watchState } from "./state.js";
import type { StateValues } from "./state-snapshot.js";
import { Emitter, type Readable } from "./store.js";
import type { SubscribeOptions, Subscription } from "./subscription.js";
import { type PersonalEvents, Subscriptions } from "./subscriptions.js";
import { TokenRefresh } from "./token-refresh.js";

/** Options of `client.publish`. */
export interface PublishOptions extends CallOptions {
  /**
   * Deduplicates retries on the server for 2 minutes. A random key is used when absent, so a
   * publish resent after a lost link is delivered once.
   */
  idempotencyKey?: string;
}

/** Client-level listeners. */
export interface ClientEvents {
  /**
   * An error from the server that belongs to no call of the app: an error frame, or a refused
   * token refresh (`user_mismatch` also replaces the link by one of the new user).
   */
  error: (error: SwitchyardError) => void;
}

/** Listeners of the personal channels, joined automatically on every link. */
export interface PersonalChannels {
  /** Listens to events sent to this client, its session, its user or everyone. */
  on<K extends keyof PersonalEvents>(type: K, listener: PersonalEvents[K]): () => void;
}

/** A Switchyard client: one connection to a hub, kept alive across network trouble. */
export interface Client<C extends Contract = Contract> {
  /** The connection's status and the reason for it, as a store. */
  readonly connection: Readable<ConnectionState>;
  /**
   * This client's session id (shared by a browser's tabs): the one the hub gave in the last
   * connect reply; before that the given or stored one, or null until the hub issues one.
   */
  readonly sessionId: string | null;
  /** Events of the personal channels (`$client:`, `$session:`, `$user:`, `$broadcast`). */
  readonly personal: PersonalChannels;
  /** Starts connecting (when created with `autoConnect: false` or after `disconnect()`). */
  connect(): void;
  /** Closes the link and stops reconnecting; subscriptions and the outbox wait for `connect()`. */
  disconnect(): void;
  /** Closes for good: pending calls reject with `client_closed`, subscriptions end. */
  close(): void;
  /**
   * Subscribes to a channel. The subscription survives reconnects: missed events are
   * recovered in order, or `reset` fires when they are gone.
   */
  subscribe<Ch extends ChannelName<C>>(
    channel: Ch,
    options?: SubscribeOptions<ChannelEvent<C, Ch>>,
  ): Subscription<ChannelEvent<C, Ch>>;
  /** Publishes an event; queued in the outbox while the link is down. */
  publish<Ch extends ChannelName<C>, E extends EventName<C, Ch>>(
    channel: Ch,
    event: E,
    ...args: DataArgs<EventInput<C, Ch, E>, PublishOptions>
  ): Promise<PublishResult>;
  /**
   * Calls a method registered with `hub.rpc`; queued in the outbox while the link is down.
   * A call whose link drops before the reply rejects with `connection_lost`.
   */
  rpc<M extends RpcMethod<C>>(
    method: M,
    ...args: DataArgs<RpcInput<C, M>, CallOptions>
  ): Promise<RpcOutput<C, M>>;
  /** Round trip to the hub (resolves when the reply arrives). */
  ping(options?: CallOptions): Promise<void>;
  /**
   * Follows a job (docs/jobs.md): a store of its status, percent, step, ETA, chunks, result,
   * error and validation request, seeded by the hub's snapshot (again after every reconnect)
   * and kept current by the job's events, with `cancel()`. Call `dispose()` when done.
   *
   * @example
   * const { jobId } = await client.rpc("analysis.start", { sigma: 1.5 });
   * const job = client.job(jobId);
   * job.subscribe(() => {
   *   const { status, percent, step, eta } = job.getSnapshot();
   *   render(`${status} ${percent}% ${step ?? ""} ${eta ?? "?"} s left`);
   * });
   * cancelButton.onclick = () => job.cancel("Stopped by the user");
   */
  job(id: string): Job;
  /**
   * The jobs of this client's user and session (RPC `job.list`) as a store, asked again on
   * every reconnect and on `refresh()`: a page reloaded mid-job finds its running jobs.
   */
  jobs(): JobList;
  /**
   * Follows a synced state document (docs/state.md): a store of its values and version, kept
   * current by the hub's changes (again after every reconnect), with optimistic writes — `set`,
   * `delete`, `batch`, `applyPreset`, `undo` — queued in the outbox while the link is down.
   * Its `version` is the one to pass as `ifVersion`: every write up to it has been seen (on a
   * cluster it waits for another node's late batch, and asks the hub for the document when one
   * stays missing for `gapTimeout`). Call `dispose()` when done.
   *
   * @example
   * const physics = client.state<{ "physics.damping": number }>("settings");
   * physics.subscribe(() => {
   *   const { status, values } = physics.getSnapshot();
   *   slider.value = String(values["physics.damping"] ?? 0.5);
   *   slider.disabled = status === "loading";
   * });
   * physics.on("refused", ({ error }) => toast(`Not saved: ${error.message}`));
   * slider.oninput = () => physics.set("physics.damping", Number(slider.value));
   */
  state<T extends StateValues = StateValues>(
    name: string,
    options?: StateStoreOptions,
  ): StateStore<T>;
  /**
   * Who is present on a channel of a presence namespace (docs/presence.md): a store of the
   * count and the members (grouped by user: three tabs are one member), seeded by the
   * subscribe reply (again after every reconnect), kept current by the hub's batched
   * `$presence` events, with `on("join" | "leave")` and `loadMore()` for further pages. It
   * subscribes to the channel, or shares the app's subscription. Call `dispose()` when done.
   *
   * @example
   * const room = client.presence("room:42");
   * room.subscribe(() => renderAvatars(room.getSnapshot().members));
   * room.on("join", (connection) => toast(`${connection.userId ?? "a guest"} joined`));
   */
  presence(channel: string): Presence;
  /** Listens to client-level events; returns the function that stops listening. */
  on<K extends keyof ClientEvents>(type: K, listener: ClientEvents[K]): () => void;
}

class SwitchyardClient<C extends Contract> implements Client<C> {
  readonly connection: Readable<ConnectionState>;
  readonly personal: PersonalChannels;
  readonly #options: ResolvedOptions;
  readonly #link: Connection;
  readonly #requests: Requests;
  readonly #subscriptions: Subscriptions;
  readonly #emitter = new Emitter<ClientEvents>();
  readonly #stopWatching: () => void;
  readonly #refresh: TokenRefresh;
  #closed = false;
  #sessionId: string | undefined;

  constructor(options: ClientOptions<C>) {
    this.#options = resolveOptions(options);
    this.#sessionId = resolveSessionId(options.sessionId);
    // A given id is the app's to keep; otherwise the hub's id is the browser profile's.
    const persist = options.sessionId === undefined;
    this.#requests = new Requests(
      { send: (frame) => this.#link.send(frame) },
      { limit: this.#options.outbox.limit, timeout: this.#options.requestTimeout },
    );
    this.#subscriptions = new Subscriptions(this.#requests, () => this.#link.live);
    this.#link = new Connection(this.#options, () => this.#sessionId, {
      since: () => this.#subscriptions.since(),
      opened: (info) => {
        // The hub gives another session when the id asked for is not this identity's.
        if (info.sessionId !== this.#sessionId) {
          this.#sessionId = info.sessionId;
          if (persist) storeSessionId(info.sessionId);
        }
        // Subscriptions first: their frames go out before the calls waiting in the outbox.
        this.#subscriptions.opened(info);
        this.#requests.open(info.limits);
        this.#refresh.schedule(info.expiresAt);
      },
      frame: (frame) => this.#frame(frame),
      lost: () => {
        this.#refresh.stop();
        this.#requests.down();
        this.#subscriptions.lost();
      },
      stopped: (error) => this.#requests.rejectAll(error),
    });
    this.#refresh = new TokenRefresh(this.#options, {
      info: () => this.#link.store.getSnapshot().info,
      send: (token) =>
        this.#requests.call(
          { type: "refresh", token },
          { lane: "control" },
        ) as Promise<RefreshResult>,
      refused: (error) => this.#refused(error),
    });
    this.connection = this.#link.store;
    const personal = this.#subscriptions.personal;
    this.personal = { on: (type, listener) => personal.on(type, listener) };
    this.#stopWatching = watchEnvironment({
      online: () => this.#link.retryNow("online"),
      visible: () => this.#visible(),
    });
    if (options.autoConnect !== false) this.#link.start();
  }

  get sessionId(): string | null {
    // The live link's first: store listeners of the "connected" change already see it.
    return this.#link.store.getSnapshot().info?.sessionId ?? this.#sessionId ?? null;
  }

  connect(): void {
    if (!this.#closed) this.#link.start();
  }

  disconnect(): void {
    this.#link.stop("disconnected");
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatching();
    this.#refresh.stop();
    this.#requests.rejectAll(new ClientError("client_closed"));
    this.#link.stop("closed");
    this.#subscriptions.close();
    this.#emitter.clear();
  }

  subscribe<Ch extends ChannelName<C>>(
    channel: Ch,
    options: SubscribeOptions<ChannelEvent<C, Ch>> = {},
  ): Subscription<ChannelEvent<C, Ch>> {
    if (this.#closed) throw new ClientError("client_closed");
    return this.#subscriptions.add(channel, options);
  }

  publish<Ch extends ChannelName<C>, E extends EventName<C, Ch>>(
    channel: Ch,
    event: E,
    ...[data, options = {}]: DataArgs<EventInput<C, Ch, E>, PublishOptions>
  ): Promise<PublishResult> {
    if (this.#closed) return Promise.reject(new ClientError("client_closed"));
    if (!isValidChannel(channel)) {
      return Promise.reject(new SwitchyardError("invalid_channel", `'${channel}' is not valid`));
    }
    if (!isValidEventName(event)) {
      return Promise.reject(
        new SwitchyardError("invalid_frame", `'${event}' is not an event name`),
      );
    }
    const frame: Omit<PublishFrame, "id"> = {
      type: "publish",
      channel,
      event,
      data,
      idempotencyKey: options.idempotencyKey ?? randomId(),
    };
    const { timeout, signal } = options;
    return this.#requests.call(frame, {
      lane: "outbox",
      resend: true,
      timeout,
      signal,
    }) as Promise<PublishResult>;
  }

  rpc<M extends RpcMethod<C>>(
    method: M,
    ...[data, options = {}]: DataArgs<RpcInput<C, M>, CallOptions>
  ): Promise<RpcOutput<C, M>> {
    if (this.#closed) return Promise.reject(new ClientError("client_closed"));
    const { timeout, signal } = options;
    return this.#requests.call(
      { type: "rpc", method, data },
      { lane: "outbox", timeout, signal },
    ) as Promise<RpcOutput<C, M>>;
  }

  async ping(options: CallOptions = {}): Promise<void> {
    if (this.#closed) throw new ClientError("client_closed");
    const timeout = options.timeout ?? this.#options.requestTimeout;
    await this.#requests.call(
      { type: "ping" },
      { lane: "control", timeout, signal: options.signal },
    );
  }

  on<K extends keyof ClientEvents>(type: K, listener: ClientEvents[K]): () => void {
    return this.#emitter.on(type, listener);
  }

  job(id: string): Job {
    return watchJob(this.#featureLink(), id);
  }

  jobs(): JobList {
    return watchJobs(this.#featureLink());
  }

  state<T extends StateValues = StateValues>(
    name: string,
    options?: StateStoreOptions,
  ): StateStore<T> {
    return watchState<T>(this.#featureLink(), name, options);
  }

  presence(channel: string): Presence {
    return watchPresence(this.#featureLink(), channel);
  }

  /** What the job and state stores use of the client, untyped by the contract. */
  #featureLink(): JobLink & StateLink {
    return {
      connection: this.connection,
      subscribe: (channel, options) => {
        if (this.#closed) throw new ClientError("client_closed");
        return this.#subscriptions.add(channel, options);
      },
      rpc: (method, data, options?: CallOptions) =>
        this.rpc(method as RpcMethod<C>, ...([data, options] as never)),
    };
  }

  #frame(frame: ServerFrame): void {
    switch (frame.type) {
      case "reply":
        this.#requests.reply(frame);
        return;
      case "event":
        this.#subscriptions.event(frame);
        return;
      case "error":
        this.#emitter.emit("error", errorFromPayload(frame.error));
        return;
      default:
        return;
    }
  }

  /**
   * The hub refused a refreshed token; the link still runs on the old one. A token of
   * another user means the app's user changed (a logout and login, maybe in another tab):
   * staying connected as the old user would keep delivering that user's events, so the
   * link is replaced by one that connects with the new token.
   */
  #refused(error: SwitchyardError): void {
    this.#emitter.emit("error", error);
    if (error.code === "user_mismatch") this.#link.drop("user_mismatch", error);
  }

  /** The page is visible again: probe a live link, or retry a waiting attempt now. */
  #visible(): void {
    const info = this.#link.store.getSnapshot().info;
    if (!info) {
      this.#link.retryNow("visible");
      return;
    }
    const timeout = this.#options.heartbeat.probeTimeout;
    this.#requests.call({ type: "ping" }, { lane: "control", timeout }).catch((error) => {
      const sameLink = this.#link.store.getSnapshot().info === info;
      if (sameLink && error instanceof ClientError && error.code === "request_timeout") {
        this.#link.drop("probe_timeout");
      }
    });
  }
}

/**
 * Creates a client and (unless `autoConnect: false`) starts connecting.
 *
 * @example
 * import { createClient } from "@switchyard/client";
 *
 * const client = createClient({ url: "wss://hub.example.com/ws", getToken: fetchToken });
 * client.connection.subscribe(() => console.log(client.connection.getSnapshot().status));
 *
 * const job = client.subscribe("job:7f3a", {
 *   onEvent: (event) => console.log(event.event, event.data),
 *   onReset: () => reloadJobFromApi(),
 * });
 * await client.publish("chat:lobby", "message", { text: "hello" });
 * const sum = await client.rpc("math.add", { a: 1, b: 2 });
 * job.unsubscribe();
 * client.close();
 */
export function createClient<const C extends Contract = Contract>(
  options: ClientOptions<C>,
): Client<C> {
  return new SwitchyardClient<C>(options);
}
