import {
  type ChannelPosition,
  type ConnectFrame,
  type ConnectResult,
  isValidChannel,
  isValidEventName,
  isValidId,
  namespaceOf,
  PERSONAL,
  PROTOCOL_VERSION,
  type PublishFrame,
  type RefreshFrame,
  type RequestFrame,
  type RpcFrame,
  type StreamPosition,
  type SubscribeFrame,
  SwitchyardError,
  type UnsubscribeFrame,
} from "@switchyard/protocol";
import type { BrokerEvent } from "../broker/broker.js";
import type { Connection } from "./connection.js";
import type { HubCore, RpcEntry } from "./core.js";
import { accessContext, type Namespace } from "./namespaces.js";
import type { AccessContext } from "./options.js";
import { publishChecked } from "./publish.js";
import { createSubscription, NO_FLOOR, type Subscription, wants } from "./subscription.js";
import { validate } from "./validate.js";

/** Handles one request frame of a connection; throws a SwitchyardError to reply with an error. */
export async function handleRequest(
  core: HubCore,
  connection: Connection,
  frame: RequestFrame,
): Promise<void> {
  switch (frame.type) {
    case "connect":
      return connect(core, connection, frame);
    case "subscribe":
      return subscribe(core, connection, frame);
    case "unsubscribe":
      return unsubscribe(core, connection, frame);
    case "publish":
      return publish(core, connection, frame);
    case "rpc":
      return rpc(core, connection, frame);
    case "refresh":
      return refresh(core, connection, frame);
    case "ping":
      connection.reply(frame.id, {});
      return;
  }
}

async function connect(core: HubCore, connection: Connection, frame: ConnectFrame) {
  if (connection.state !== "opening") throw new SwitchyardError("already_connected");
  const requested = frame.sessionId ?? connection.upgradeSessionId;
  if (requested !== undefined && !isValidId(requested)) {
    throw new SwitchyardError(
      "invalid_frame",
      "Field 'sessionId' must be 1-128 characters of A-Z a-z 0-9 _ . @ | : -",
    );
  }
  const upgrade = connection.takeUpgradeCredentials();
  const token = frame.token ?? upgrade.token;
  const decided = core.guards.decidesConnects
    ? await core.guards.authenticate({
        clientId: connection.clientId,
        token,
        data: frame.data,
        sdk: frame.sdk,
        headers: upgrade.parts?.headers ?? NOTHING,
        cookies: upgrade.parts?.cookies ?? NOTHING,
        ip: connection.ip,
        codec: connection.codec.name,
      })
    : undefined;
  const identity = decided ?? (await core.authenticator.authenticate(token));
  if (connection.state !== "opening") return;
  // The id asked for, when it is bound to this identity; else a fresh one (the result says
  // which, so a client that asked for another session sees it did not get it).
  const sessionId = await core.sessions.bind(requested, identity.userId);
  if (connection.state !== "opening") return;
  // Over a limit it throws: the client gets the error reply, then the close (4101) that tells
  // it to back off.
  connection.identify(identity, sessionId);

  const personal = [
    PERSONAL.client + connection.clientId,
    PERSONAL.session + sessionId,
    ...(identity.userId === null ? [] : [PERSONAL.user + identity.userId]),
    PERSONAL.broadcast,
  ];
  // Channels a feature deciding the connect had the client join (server-side subscriptions).
  const assigned = (identity.channels ?? []).map((channel) => resolveChannel(core, channel));
  const joined: [Subscription, Prepared][] = [];
  for (const [index, channel] of [...personal, ...(identity.channels ?? [])].entries()) {
    const namespace =
      index < personal.length
        ? core.namespaces.resolve(channel)
        : assigned[index - personal.length];
    if (namespace === undefined) continue;
    const subscription = createSubscription(channel, namespace, undefined);
    const prepared = await prepare(core, connection, subscription, frame.since?.[channel]);
    if (prepared === undefined) return;
    joined.push([subscription, prepared]);
  }
  if (connection.state !== "opening") return;
  connection.open();

  const channels: Record<string, ChannelPosition> = {};
  for (const [subscription, prepared] of joined) channels[subscription.channel] = prepared.position;
  const result: ConnectResult = {
    clientId: connection.clientId,
    sessionId,
    userId: identity.userId,
    protocol: PROTOCOL_VERSION,
    heartbeat: { interval: core.heartbeat.interval, timeout: core.heartbeat.timeout },
    limits: {
      maxMessageBytes: core.limits.maxMessageBytes,
      maxSubscriptions: core.limits.maxSubscriptions,
      rate: core.limits.rate,
      burst: core.limits.burst,
    },
    expiresAt: identity.expiresAt,
    channels,
  };
  connection.reply(frame.id, result);
  for (const [subscription, prepared] of joined) activate(connection, subscription, prepared);
  core.emitter.emit("connect", connection.info, (error) =>
    core.logger.error({ err: error }, "connect listener failed"),
  );
}

async function subscribe(core: HubCore, connection: Connection, frame: SubscribeFrame) {
  const { channel } = frame;
  const namespace = resolveChannel(core, channel);
  if (frame.events) {
    for (const event of frame.events) {
      if (!isValidEventName(event)) {
        throw new SwitchyardError(
          "invalid_frame",
          `'${event}' in 'events' is not a valid event name`,
        );
      }
    }
  }
  await core.namespaces.checkSubscribe(namespace, channel, connection);
  let info: unknown;
  for (const guard of core.guards.subscribe) {
    const verdict = await guard({
      client: connection.info,
      channel,
      namespace: namespaceOf(channel),
    });
    if (verdict?.info !== undefined) info = verdict.info;
    if (connection.state !== "open") return;
  }
  const existing = connection.subscriptions.has(channel);
  if (!existing && requestedSubscriptions(connection) >= core.limits.maxSubscriptions) {
    throw new SwitchyardError(
      "too_many_subscriptions",
      `A client may hold at most ${core.limits.maxSubscriptions} subscriptions`,
    );
  }
  // Subscribing again replaces the subscription (new filter, new recovery point).
  const subscription = createSubscription(channel, namespace, frame.events);
  const prepared = await prepare(core, connection, subscription, frame.since);
  if (prepared === undefined) return;
  const context = accessContext(connection, channel);
  const snapshot = await namespace.snapshot?.(context);
  const extra = core.replyFields.size === 0 ? undefined : await replyFields(core, context);
  if (connection.state !== "open") return;
  connection.reply(frame.id, {
    channel,
    ...prepared.position,
    ...(namespace.conflate === undefined ? {} : { conflated: true }),
    ...(snapshot === undefined ? {} : { snapshot }),
    ...extra,
  });
  activate(connection, subscription, prepared);
  if (!existing) {
    core.emitter.emit(
      "subscribe",
      info === undefined
        ? { client: connection.info, channel }
        : { client: connection.info, channel, info },
      (error) => core.logger.error({ err: error }, "subscribe listener failed"),
    );
  }
}

/** The fields features add to this subscribe reply (those whose provider answers something). */
async function replyFields(
  core: HubCore,
  context: AccessContext,
): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  for (const [field, provide] of core.replyFields) {
    const value = await provide(context);
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

/**
 * The subscriptions a client asked for. The personal channels joined at connect do not count
 * towards `maxSubscriptions`, so a client gets the full limit it is told in the connect result.
 */
function requestedSubscriptions(connection: Connection): number {
  const { subscriptions } = connection;
  let personal = 0;
  for (const channel of [
    PERSONAL.client + connection.clientId,
    PERSONAL.session + connection.sessionId,
    PERSONAL.broadcast,
  ]) {
    if (subscriptions.has(channel)) personal++;
  }
  if (connection.userId !== null && subscriptions.has(PERSONAL.user + connection.userId)) {
    personal++;
  }
  return subscriptions.size - personal;
}

interface Prepared {
  position: ChannelPosition;
  replay: BrokerEvent[];
}

/**
 * Registers the subscription (live events are buffered from now on), then reads where the
 * channel stands, recovering the events after `since` when asked. Undefined when the
 * connection is closing: its close answers the request (nothing failed).
 */
async function prepare(
  core: HubCore,
  connection: Connection,
  subscription: Subscription,
  since: StreamPosition | undefined,
): Promise<Prepared | undefined> {
  const { channel } = subscription;
  if (connection.state === "closing" || connection.state === "closed") return undefined;
  connection.subscribed(subscription);
  await core.registry.add(connection, subscription);
  if (!subscription.namespace.history) {
    return { position: since ? { recovered: false } : {}, replay: [] };
  }
  if (!since) {
    const { epoch, offset } = await core.broker.position(channel);
    return { position: { epoch, offset }, replay: [] };
  }
  const recovery = await core.broker.recover(channel, since);
  const replay = recovery.recovered ? recovery.events : [];
  const offset = recovery.recovered ? since.offset : recovery.offset;
  return {
    position: { epoch: recovery.epoch, offset, recovered: recovery.recovered },
    replay,
  };
}

/**
 * Sends the replayed events (paced by the connection), then the live ones buffered meanwhile,
 * and goes live.
 */
function activate(connection: Connection, subscription: Subscription, prepared: Prepared): void {
  if (connection.subscriptions.get(subscription.channel) !== subscription) return;
  let floor = prepared.position.offset ?? 0;
  for (const event of prepared.replay) {
    if (event.offset !== undefined && event.offset > floor) floor = event.offset;
  }
  const hasHistory = subscription.namespace.history !== undefined;
  subscription.floor = hasHistory ? floor : NO_FLOOR;
  connection.replay(
    subscription,
    prepared.replay.filter((event) => wants(subscription, event.event)),
  );
}

async function unsubscribe(core: HubCore, connection: Connection, frame: UnsubscribeFrame) {
  const { channel } = frame;
  if (!isValidChannel(channel)) throw invalidChannel(channel);
  if (!connection.subscriptions.has(channel)) {
    throw new SwitchyardError("not_subscribed", `Not subscribed to '${channel}'`);
  }
  if (channel.startsWith("$")) {
    throw new SwitchyardError("forbidden", "Personal channels cannot be left");
  }
  connection.unsubscribed(channel);
  core.registry.remove(connection, channel);
  connection.reply(frame.id, {});
  core.emitter.emit("unsubscribe", { client: connection.info, channel }, (error) =>
    core.logger.error({ err: error }, "unsubscribe listener failed"),
  );
}

async function publish(core: HubCore, connection: Connection, frame: PublishFrame) {
  const namespace = resolveChannel(core, frame.channel);
  await core.namespaces.checkPublish(namespace, frame.channel, connection);
  let data = frame.data;
  for (const guard of core.guards.publish) {
    const verdict = await guard({
      client: connection.info,
      channel: frame.channel,
      namespace: namespaceOf(frame.channel),
      event: frame.event,
      data,
    });
    if (verdict !== undefined) data = verdict.data;
  }
  const ephemeral = namespace.ephemeral?.(frame.event) === true;
  if (ephemeral && !connection.takeEphemeral(frame.channel, namespace.ephemeralRate)) {
    throw new SwitchyardError(
      "rate_limited",
      `At most ${namespace.ephemeralRate} ephemeral events per second on '${frame.channel}'`,
    );
  }
  const result = await publishChecked(core, namespace, { ...frame, data, ephemeral });
  connection.reply(frame.id, result);
}

async function rpc(core: HubCore, connection: Connection, frame: RpcFrame) {
  const entry = core.rpcs.get(frame.method) ?? patternEntry(core, frame.method);
  if (!entry) {
    throw new SwitchyardError("method_not_found", `No RPC method '${frame.method}'`);
  }
  const data = entry.schema
    ? await validate(entry.schema, frame.data, `data for '${frame.method}'`)
    : frame.data;
  const result = await entry.handler(data, { client: connection.info, method: frame.method });
  if (connection.state === "open") connection.reply(frame.id, result);
}

/** The handler of a method no `hub.rpc` names, from a feature's pattern (`sim.*`). */
function patternEntry(core: HubCore, method: string): RpcEntry | undefined {
  const handler = core.guards.rpcHandler(method);
  return handler === undefined ? undefined : { schema: undefined, handler };
}

/** The headers or cookies of a connection nobody asked for. */
const NOTHING: Readonly<Record<string, string>> = Object.freeze({});

async function refresh(core: HubCore, connection: Connection, frame: RefreshFrame) {
  const identity = await core.authenticator.authenticate(frame.token);
  if (identity.userId !== connection.userId) {
    throw new SwitchyardError(
      "user_mismatch",
      "The new token belongs to another user; reconnect to change users",
    );
  }
  connection.refreshed(identity);
  connection.reply(frame.id, { expiresAt: identity.expiresAt });
}

/** Checks a channel name and resolves its namespace. */
export function resolveChannel(core: HubCore, channel: string): Namespace {
  if (!isValidChannel(channel)) throw invalidChannel(channel);
  return core.namespaces.resolve(channel);
}

function invalidChannel(channel: string): SwitchyardError {
  return new SwitchyardError(
    "invalid_channel",
    `'${channel.slice(0, 64)}' is not a valid channel name (namespace:name, at most 256 characters)`,
  );
}
