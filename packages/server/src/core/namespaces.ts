import type { StandardSchemaV1 } from "@standard-schema/spec";
import { namespaceOf, PERSONAL, SwitchyardError } from "@switchyard/protocol";
import type { HistoryOptions } from "../broker/broker.js";
import { channelsClaimAllows } from "./auth/channels-claim.js";
import {
  type AccessContext,
  type AccessRule,
  type ConflationInput,
  type CoreOptions,
  DEFAULT_HISTORY,
  DEFAULT_PERSONAL_HISTORY,
  type NamespaceOptions,
} from "./options.js";

/** A namespace policy with every default filled in. */
export interface Namespace {
  readonly name: string;
  readonly subscribe: AccessRule;
  readonly publish: AccessRule;
  readonly history: HistoryOptions | undefined;
  /** The conflation key of an event for slow clients, or undefined when it never conflates. */
  readonly conflate: ((event: ConflationInput) => string | undefined) | undefined;
  readonly events: Record<string, StandardSchemaV1> | undefined;
  readonly snapshot: NamespaceOptions["snapshot"];
  /** True for the events published without history (live only); undefined when none are. */
  readonly ephemeral: ((event: string) => boolean) | undefined;
  /** Most ephemeral events one client may publish per second on one channel. */
  readonly ephemeralRate: number;
  /** Personal namespaces: subscribing is allowed only to one's own channel. */
  readonly personal: boolean;
}

/** Who is asking, for access checks. */
export type Requester = Omit<AccessContext, "channel" | "name">;

function complete(name: string, options: NamespaceOptions): Namespace {
  const history =
    options.history === false ? undefined : { ...DEFAULT_HISTORY, ...options.history };
  return {
    name,
    subscribe: options.subscribe ?? "authenticated",
    publish: options.publish ?? "nobody",
    history,
    conflate: conflationOf(options.conflate),
    events: options.events,
    snapshot: options.snapshot,
    ephemeral: ephemeralOf(options.ephemeral),
    ephemeralRate: options.ephemeralRate ?? DEFAULT_EPHEMERAL_RATE,
    personal: false,
  };
}

/** Default of {@link NamespaceOptions.ephemeralRate}. */
export const DEFAULT_EPHEMERAL_RATE = 30;

function ephemeralOf(option: NamespaceOptions["ephemeral"]): Namespace["ephemeral"] {
  if (option === undefined || option === false) return undefined;
  if (option === true) return () => true;
  const names = new Set(option);
  return (event) => names.has(event);
}

const PERSONAL_NAMESPACES = new Set(["$client", "$session", "$user", "$broadcast"]);

/** Resolves channels to their namespace policy and answers access questions. */
export class Namespaces {
  private readonly declared = new Map<string, Namespace>();
  private readonly fallback: Namespace | undefined;
  /** The application's own namespace options, laid over those features declare. */
  private readonly configured: Readonly<Record<string, NamespaceOptions>>;

  constructor(options: CoreOptions) {
    this.configured = options.namespaces ?? {};
    for (const [name, policy] of Object.entries(options.namespaces ?? {})) {
      if (name.startsWith("$")) throw new Error(`Namespace '${name}' is reserved`);
      this.declared.set(name, complete(name, policy));
    }
    this.fallback = options.defaultNamespace ? complete("*", options.defaultNamespace) : undefined;
    const history = { ...DEFAULT_PERSONAL_HISTORY, ...options.personalHistory };
    for (const name of PERSONAL_NAMESPACES) {
      this.declared.set(name, {
        name,
        subscribe: "nobody",
        publish: "nobody",
        // A client id lives for one connection, so its channel has nothing to recover later.
        history: name === "$client" ? undefined : history,
        conflate: undefined,
        events: undefined,
        snapshot: undefined,
        ephemeral: undefined,
        ephemeralRate: DEFAULT_EPHEMERAL_RATE,
        personal: true,
      });
    }
  }

  /**
   * Declares a feature's namespace. The application's options for the same name (given to
   * the hub) are laid over it field by field: its rules win, the feature's other fields stay.
   */
  define(name: string, options: NamespaceOptions): void {
    if (name.startsWith("$")) throw new Error(`Namespace '${name}' is reserved`);
    this.declared.set(name, complete(name, { ...options, ...this.configured[name] }));
  }

  /** The policy of `channel`; throws `unknown_namespace` when none applies. */
  resolve(channel: string): Namespace {
    const name = namespaceOf(channel);
    const namespace = this.declared.get(name) ?? (name.startsWith("$") ? undefined : this.fallback);
    if (!namespace) {
      throw new SwitchyardError(
        "unknown_namespace",
        `No namespace '${name}' is configured for channel '${channel}'`,
      );
    }
    return namespace;
  }

  /** Throws `forbidden` unless `who` may subscribe to `channel`. */
  async checkSubscribe(namespace: Namespace, channel: string, who: Requester): Promise<void> {
    if (namespace.personal) {
      if (isOwnPersonalChannel(channel, who)) return;
      throw new SwitchyardError("forbidden", `Channel '${channel}' belongs to someone else`);
    }
    await check(namespace.subscribe, channel, who, "subscribe to");
  }

  /** Throws `forbidden` unless `who` may publish to `channel` from a client. */
  async checkPublish(namespace: Namespace, channel: string, who: Requester): Promise<void> {
    await check(namespace.publish, channel, who, "publish to");
  }
}

/** True when `channel` is one of the personal channels of `who`. */
function isOwnPersonalChannel(channel: string, who: Requester): boolean {
  return (
    channel === PERSONAL.broadcast ||
    channel === PERSONAL.client + who.clientId ||
    channel === PERSONAL.session + who.sessionId ||
    (who.userId !== null && channel === PERSONAL.user + who.userId)
  );
}

/**
 * True when `rule` lets `who` through for `channel` (a rule function may also throw its own
 * SwitchyardError). Features use it for rules of their own (who may write a state key).
 */
export async function ruleAllows(
  rule: AccessRule,
  channel: string,
  who: Requester,
): Promise<boolean> {
  switch (rule) {
    case "anyone":
      return true;
    case "authenticated":
      return who.userId !== null;
    case "token":
      return channelsClaimAllows(who.claims, channel);
    case "nobody":
      return false;
    default:
      return rule(accessContext(who, channel));
  }
}

async function check(rule: AccessRule, channel: string, who: Requester, verb: string) {
  if (!(await ruleAllows(rule, channel, who))) {
    throw new SwitchyardError("forbidden", `Not allowed to ${verb} '${channel}'`);
  }
}

/**
 * What user code (rules, snapshots) sees of a requester. Named fields, not a spread: the
 * requester is the connection itself, whose socket and raw token must not reach user code.
 */
export function accessContext(who: Requester, channel: string): AccessContext {
  const colon = channel.indexOf(":");
  return {
    channel,
    name: colon === -1 ? channel : channel.slice(colon + 1),
    clientId: who.clientId,
    sessionId: who.sessionId,
    userId: who.userId,
    claims: who.claims,
    ...(who.userInfo === undefined ? {} : { userInfo: who.userInfo }),
  };
}

/** Turns the `conflate` option into one key function. */
function conflationOf(
  option: NamespaceOptions["conflate"],
): ((event: ConflationInput) => string | undefined) | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return (event) => event.channel;
  if (typeof option === "function") {
    return (event) => {
      const key = option(event);
      return key === undefined ? undefined : `${event.channel}\n${key}`;
    };
  }
  const names = new Set(option);
  return (event) => (names.has(event.event) ? `${event.channel}\n${event.event}` : undefined);
}
