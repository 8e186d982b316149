import { closeActionOf, type PresenceConnection, type PresenceReply } from "@switchyard/protocol";
import type { PresenceEntry, PresenceStore } from "../../broker/presence.js";
import type { CoreHub, DisconnectInfo, SubscriptionInfo } from "../../core/hub-api.js";
import type { AccessContext, Logger } from "../../core/options.js";
import { type BatcherContext, PresenceBatcher } from "./batcher.js";
import {
  DEFAULT_PAGE_SIZE,
  type NamespacePresence,
  type ResolvedPresenceOptions,
} from "./options.js";
import { settingsOf } from "./settings.js";

/** One of this node's connections on a presence channel. */
interface Local {
  readonly entry: PresenceConnection;
  readonly sessionId: string;
  /** The write of the join, which a leave waits for. */
  ready: Promise<void>;
  /** Lost: waiting out the grace (no longer refreshed; its entry lives until the grace ends). */
  lost: { readonly timer: NodeJS.Timeout; readonly until: number } | undefined;
}

const toConnection = ({ clientId, userId, info }: PresenceEntry): PresenceConnection => ({
  clientId,
  userId,
  info,
});

/** The key-value set of a session's lost connections on a channel (what a reconnect takes over). */
const lostKey = (channel: string, sessionId: string) => `presence/lost/${channel}/${sessionId}`;

/**
 * This node's side of presence: it writes the entries of its connections (on the subscribe
 * that makes them present), refreshes them before their ttl runs out, removes them on an
 * explicit leave, keeps a lost connection for its namespace's grace (a reconnect of the same
 * session within it takes the entry over, silently, on whichever node it lands), and reaps
 * the expired entries of dead nodes on the channels it serves. Joins and leaves go to the
 * batcher, which publishes them as `$presence` events.
 */
export class PresenceTracker {
  private readonly channels = new Map<string, Map<string, Local>>();
  /** Clients connected to this node (a subscribe racing a close must not leave a zombie). */
  private readonly connected = new Set<string>();
  /** Close codes of clients whose unsubscribe events are being handled. */
  private readonly closing = new Map<string, number>();
  private unsubscribed: SubscriptionInfo[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  readonly store: PresenceStore;
  readonly batcher: PresenceBatcher;

  constructor(
    private readonly hub: CoreHub,
    private readonly options: ResolvedPresenceOptions,
    private readonly logger: Logger,
    announce: BatcherContext["announce"] = () => {},
  ) {
    this.store = hub.broker.presence;
    this.batcher = new PresenceBatcher({
      window: options.batchWindow,
      maxBatch: options.maxBatch,
      count: async (channel) => {
        const { expired, ...count } = await this.store.count(channel);
        return { count, expired: expired.map(toConnection) };
      },
      capped: (channel, count) => count.members > (this.settings(channel)?.cap ?? 0),
      publish: (channel, data) => hub.publish(channel, "$presence", data, { ephemeral: true }),
      announce,
      onError: (error, channel) =>
        logger.error({ err: error, channel }, "presence event not published"),
    });
  }

  /** Listens to the hub's lifecycle and starts the refresh and reap timers. */
  start(): void {
    this.hub.on("connect", (client) => this.connected.add(client.clientId));
    this.hub.on("disconnect", (info) => this.disconnected(info));
    this.hub.on("unsubscribe", (info) => {
      if (this.settings(info.channel) === undefined) return;
      // A close emits the unsubscribes of its channels, then the disconnect with its code:
      // decide once the code is known.
      if (this.unsubscribed.push(info) === 1) queueMicrotask(() => this.leaveUnsubscribed());
    });
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => this.track(run()), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.refreshInterval, () => this.refresh());
    every(this.options.reapInterval, () => this.reap());
  }

  /** True while `clientId` is present on `channel` through this node. */
  present(channel: string, clientId: string): boolean {
    return this.channels.get(channel)?.has(clientId) === true;
  }

  settings(channel: string): NamespacePresence | undefined {
    return settingsOf(this.options, channel);
  }

  /**
   * The `presence` field of a subscribe reply: makes the client present (once per channel),
   * then reads the count and the first page. Undefined outside presence namespaces.
   */
  async reply(context: AccessContext): Promise<PresenceReply | undefined> {
    const settings = this.settings(context.channel);
    if (settings === undefined) return undefined;
    await this.join(context, settings);
    const page = await this.store.page(context.channel, { limit: DEFAULT_PAGE_SIZE });
    this.reportExpired(context.channel, page.expired);
    if (page.count.members > settings.cap) return { count: page.count };
    return { count: page.count, members: page.members, cursor: page.cursor };
  }

  /** Reports the leaves of expired entries a read took out. */
  reportExpired(channel: string, expired: readonly PresenceEntry[]): void {
    for (const entry of expired) this.batcher.left(channel, toConnection(entry));
  }

  private async join(context: AccessContext, settings: NamespacePresence): Promise<void> {
    const { channel, clientId, sessionId } = context;
    if (!this.connected.has(clientId)) return;
    let locals = this.channels.get(channel);
    if (locals === undefined) {
      locals = new Map();
      this.channels.set(channel, locals);
    }
    const existing = locals.get(clientId);
    if (existing !== undefined) return existing.ready;
    const entry: PresenceConnection = {
      clientId,
      userId: context.userId,
      info: settings.info(context) ?? null,
    };
    const local: Local = { entry, sessionId, ready: Promise.resolve(), lost: undefined };
    locals.set(clientId, local);
    local.ready = (async () => {
      const replaced = await this.takeOver(channel, sessionId, clientId);
      await this.store.set(channel, entry, this.options.ttl);
      if (!this.connected.has(clientId)) {
        // Closed while joining, after its unsubscribe was handled: undo, and report the
        // connection it replaced as gone.
        this.forget(channel, clientId, local);
        await this.store.remove(channel, clientId);
        if (replaced !== undefined) this.batcher.left(channel, toConnection(replaced));
        return;
      }
      if (replaced === undefined) this.batcher.joined(channel, entry);
    })();
    await local.ready;
  }

  /**
   * A reconnect of a session within the grace takes over one of its lost connections on the
   * channel: the old entry goes without a leave, the new one comes without a join. The store's
   * atomic remove decides between the takeover and the grace's end (which reports the leave).
   */
  private async takeOver(
    channel: string,
    sessionId: string,
    clientId: string,
  ): Promise<PresenceEntry | undefined> {
    const key = lostKey(channel, sessionId);
    for (const old of await this.hub.broker.kv.members(key)) {
      if (old === clientId) continue;
      await this.hub.broker.kv.removeFromSet(key, old);
      const removed = await this.store.remove(channel, old);
      const local = this.channels.get(channel)?.get(old);
      if (local?.lost !== undefined) {
        clearTimeout(local.lost.timer);
        this.forget(channel, old, local);
      }
      if (removed !== undefined) return removed;
    }
    return undefined;
  }

  private disconnected({ client, code }: DisconnectInfo): void {
    this.connected.delete(client.clientId);
    if (this.unsubscribed.length > 0) this.closing.set(client.clientId, code);
  }

  private leaveUnsubscribed(): void {
    const list = this.unsubscribed;
    this.unsubscribed = [];
    for (const { client, channel } of list) {
      const code = this.closing.get(client.clientId);
      const lost = code !== undefined && !leftOnPurpose(code);
      this.track(lost ? this.lose(channel, client.clientId) : this.leave(channel, client.clientId));
    }
    this.closing.clear();
  }

  /** An explicit leave: the entry goes at once. */
  private async leave(channel: string, clientId: string): Promise<void> {
    const local = this.channels.get(channel)?.get(clientId);
    if (local === undefined) return;
    await local.ready.catch(() => {});
    if (!this.forget(channel, clientId, local)) return;
    const removed = await this.store.remove(channel, clientId);
    if (removed !== undefined) this.batcher.left(channel, toConnection(removed));
  }

  /** A lost connection: it stays for the namespace's grace, then leaves unless taken over. */
  private async lose(channel: string, clientId: string): Promise<void> {
    const grace = this.settings(channel)?.grace ?? 0;
    const local = this.channels.get(channel)?.get(clientId);
    if (local === undefined) return;
    if (grace === 0) return this.leave(channel, clientId);
    await local.ready.catch(() => {});
    if (this.channels.get(channel)?.get(clientId) !== local) return;
    const timer = setTimeout(() => this.track(this.graceOver(channel, local)), grace);
    local.lost = { timer, until: Date.now() + grace };
    const keep = grace + this.options.ttl;
    await Promise.all([
      this.hub.broker.kv.addToSet(lostKey(channel, local.sessionId), clientId, keep),
      this.store.set(channel, local.entry, keep),
    ]);
  }

  private async graceOver(channel: string, local: Local): Promise<void> {
    const { clientId } = local.entry;
    if (!this.forget(channel, clientId, local)) return;
    await this.hub.broker.kv.removeFromSet(lostKey(channel, local.sessionId), clientId);
    const removed = await this.store.remove(channel, clientId);
    if (removed !== undefined) this.batcher.left(channel, toConnection(removed));
  }

  /** Drops a local entry; false when it was no longer this one. */
  private forget(channel: string, clientId: string, local: Local): boolean {
    const locals = this.channels.get(channel);
    if (locals?.get(clientId) !== local) return false;
    locals.delete(clientId);
    if (locals.size === 0) this.channels.delete(channel);
    return true;
  }

  /** Refreshes every live entry of this node, in one pipelined batch. */
  private async refresh(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [channel, locals] of this.channels) {
      for (const local of locals.values()) {
        if (local.lost === undefined) {
          writes.push(this.store.set(channel, local.entry, this.options.ttl));
        }
      }
    }
    const failed = (await Promise.allSettled(writes)).filter((r) => r.status === "rejected");
    if (failed.length > 0) {
      this.logger.warn(
        { err: failed[0]?.reason, failed: failed.length },
        "presence refresh failed",
      );
    }
  }

  /** Takes out the expired entries (a dead node's) of the channels this node serves. */
  private async reap(): Promise<void> {
    for (const channel of [...this.channels.keys()]) {
      try {
        this.reportExpired(channel, await this.store.expire(channel));
      } catch (error) {
        this.logger.warn({ err: error, channel }, "presence reap failed");
      }
    }
  }

  /** Figures for `hub.stats().features.presence`. */
  stats(): Record<string, number> {
    let connections = 0;
    let lost = 0;
    for (const locals of this.channels.values()) {
      for (const local of locals.values()) {
        connections++;
        if (local.lost !== undefined) lost++;
      }
    }
    return { channels: this.channels.size, connections, lost };
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) =>
      this.logger.error({ err: error }, "presence update failed"),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /**
   * Stops the timers. Lost connections still in their grace keep their entries for what is
   * left of it (a reconnect to another node still takes them over; after it, another node's
   * reaper reports the leave). Sends the gathered events.
   */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    const writes: Promise<void>[] = [];
    const now = Date.now();
    for (const [channel, locals] of this.channels) {
      for (const local of locals.values()) {
        if (local.lost === undefined) continue;
        clearTimeout(local.lost.timer);
        writes.push(this.store.set(channel, local.entry, Math.max(1, local.lost.until - now)));
      }
    }
    await Promise.allSettled(writes);
    this.channels.clear();
    await this.batcher.close();
  }
}

/** A normal close (1000, 1001 going away) or a terminal one: the client is not coming back. */
function leftOnPurpose(code: number): boolean {
  return code === 1000 || code === 1001 || closeActionOf(code) === "terminal";
}
