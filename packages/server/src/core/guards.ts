import type { IncomingMessage } from "node:http";
import { isValidId, SwitchyardError } from "@switchyard/protocol";
import type { Identity } from "./auth/authenticator.js";
import type {
  Authenticate,
  AuthenticateOptions,
  ConnectRequest,
  PublishGuard,
  RpcHandler,
  SubscribeGuard,
} from "./hub-api.js";

/**
 * What features registered to take part in the hub's decisions (`host.authenticate`,
 * `guardSubscribe`, `guardPublish`, `rpcPattern`), and how the core asks them.
 */
export class Guards {
  private readonly authenticators: Authenticate[] = [];
  private readonly headerNames = new Set<string>();
  private readonly cookieNames = new Set<string>();
  readonly subscribe: SubscribeGuard[] = [];
  readonly publish: PublishGuard[] = [];
  private readonly patterns: { match: RegExp; handler: RpcHandler }[] = [];

  addAuthenticator(authenticate: Authenticate, options: AuthenticateOptions = {}): void {
    if (typeof authenticate !== "function") throw new TypeError("authenticate needs a function");
    this.authenticators.push(authenticate);
    for (const name of options.headers ?? []) this.headerNames.add(name.toLowerCase());
    for (const name of options.cookies ?? []) this.cookieNames.add(name);
  }

  /** True when a feature registered to decide connects. */
  get decidesConnects(): boolean {
    return this.authenticators.length > 0;
  }

  addRpcPattern(pattern: string | readonly string[], handler: RpcHandler): void {
    if (typeof handler !== "function") throw new TypeError("rpcPattern needs a handler function");
    const patterns = typeof pattern === "string" ? [pattern] : pattern;
    for (const one of patterns) this.patterns.push({ match: globOf(one), handler });
  }

  /** The handler of the first pattern matching `method`, if any. */
  rpcHandler(method: string): RpcHandler | undefined {
    for (const { match, handler } of this.patterns) if (match.test(method)) return handler;
    return undefined;
  }

  /**
   * The allowlisted headers and cookies of an upgrade request, read at the upgrade (the request
   * is gone by `connect`); undefined when no feature wants any, so a connection keeps nothing.
   */
  upgradeParts(request: IncomingMessage): UpgradeParts | undefined {
    if (this.headerNames.size === 0 && this.cookieNames.size === 0) return undefined;
    const headers: Record<string, string> = {};
    for (const name of this.headerNames) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const cookies: Record<string, string> = {};
    if (this.cookieNames.size > 0) {
      for (const [name, value] of parseCookies(request.headers.cookie)) {
        if (this.cookieNames.has(name) && !Object.hasOwn(cookies, name)) cookies[name] = value;
      }
    }
    return { headers, cookies };
  }

  /**
   * Asks the features deciding connects, in order; undefined when none decided (the JWT check
   * follows). A refusal is their thrown `SwitchyardError`.
   */
  async authenticate(request: ConnectRequest): Promise<Identity | undefined> {
    for (const authenticate of this.authenticators) {
      const answer = await authenticate(request);
      if (answer === undefined) continue;
      const { userId } = answer;
      if (userId !== null && (typeof userId !== "string" || !isValidId(userId))) {
        throw new SwitchyardError(
          "internal_error",
          "A connect decision named a user id that is not 1-128 characters of A-Z a-z 0-9 _ . @ | : -",
        );
      }
      const identity: Identity = {
        userId,
        claims: NO_CLAIMS,
        expiresAt: answer.expiresAt ?? null,
        info: answer.info,
        meta: answer.meta,
      };
      if (answer.refresh !== undefined) identity.refresh = answer.refresh;
      if (answer.channels !== undefined && answer.channels.length > 0) {
        // Personal channels are joined by their owner alone, at every connect already.
        if (answer.channels.some((channel) => channel.startsWith("$"))) {
          throw new SwitchyardError(
            "internal_error",
            "A connect decision may not have a client join personal ($) channels",
          );
        }
        identity.channels = answer.channels;
      }
      return identity;
    }
    return undefined;
  }
}

/** The headers and cookies a connection keeps from its upgrade until `connect`. */
export interface UpgradeParts {
  headers: Record<string, string>;
  cookies: Record<string, string>;
}

/** The claims of every identity a feature decided (they carry no token). */
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** `*` matches any run of characters; everything else is literal. */
function globOf(pattern: string): RegExp {
  if (typeof pattern !== "string" || pattern === "") {
    throw new TypeError("An RPC pattern must be a non-empty string");
  }
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`);
}

/** The `name=value` pairs of a Cookie header (RFC 6265 §5.4), values URI-decoded when valid. */
function* parseCookies(header: string | undefined): Generator<[string, string]> {
  if (header === undefined) return;
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    if (equals === -1) continue;
    const name = pair.slice(0, equals).trim();
    let value = pair.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded text: kept as sent.
    }
    if (name !== "") yield [name, value];
  }
}
