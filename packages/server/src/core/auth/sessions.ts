import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyValueStore } from "../../broker/kv.js";
import { DEFAULT_SESSION_TTL, type Logger } from "../options.js";

/** Random bytes of an issued session id, and bytes of the MAC that follows them. */
const RANDOM_BYTES = 16;
const MAC_BYTES = 16;
/** The shape of an issued id: 32 bytes in base64url. User-chosen ids of this shape are refused. */
const ISSUED_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** The key-value entry of the secret that signs issued ids, shared by the nodes of a cluster. */
const SECRET_KEY = "session/secret";
/** Least milliseconds between two re-reads of the secret after an id did not verify. */
const SECRET_REREAD = 1_000;
/** Longest delay `setInterval` takes. */
const MAX_TIMER = 2_147_483_647;
/** Renewals in flight at once during a round. */
const RENEW_BATCH = 500;

/** Who a session belongs to, as bound: `anonymous` or `user:<userId>`. */
function ownerOf(userId: string | null): string {
  return userId === null ? "anonymous" : `user:${userId}`;
}

function bindingKey(sessionId: string): string {
  return `session/id/${sessionId}`;
}

/** A connection's session as the renewal round sees it. */
export interface SessionMember {
  readonly sessionId: string;
  readonly userId: string | null;
}

/** Options of {@link SessionBindings}. */
export interface SessionBindingsOptions {
  kv: KeyValueStore;
  /** Milliseconds a chosen id stays bound after its last link ends. */
  ttl: number;
  logger: Logger;
  /** The connections of this node, for the renewal round. */
  members: () => Iterable<SessionMember>;
  /** `sessionId` is now bound to someone else: close this node's clients of `userId` in it. */
  lost: (sessionId: string, userId: string) => void;
}

/**
 * Binds session ids to the identity (a user, or "anonymous") they were made for, so a session
 * id is never a bearer credential for another identity.
 *
 * - Ids the hub issues are 128 random bits followed by a MAC of them and their owner, under a
 *   secret the nodes share through the broker's key-value store: any node can tell that it
 *   issued an id and for whom, and nothing is stored per id (a flood of anonymous connects
 *   costs no storage).
 * - An id an authenticated user chose is bound to that user in the key-value store, atomically
 *   (`claim`), for `ttl` after its last link: renewed at every connect and every `ttl / 4`
 *   while a client of it is connected on this node.
 * - Anything else (an id of another identity, an anonymous client's id the hub never issued)
 *   is not honoured: the client gets a freshly issued id.
 */
export class SessionBindings {
  readonly #options: SessionBindingsOptions;
  /** How long a chosen id's entry lives: `ttl` after the last renewal round could reach it. */
  readonly #entryTtl: number;
  readonly #timer: NodeJS.Timeout;
  #secret: Promise<Buffer> | undefined;
  #secretReadAt = 0;

  constructor(options: SessionBindingsOptions) {
    this.#options = options;
    const every = Math.min(options.ttl / 4, MAX_TIMER);
    this.#entryTtl = options.ttl + every;
    this.#timer = setInterval(() => void this.#renewAll(), every);
    this.#timer.unref();
  }

  /**
   * The session a client of `userId` joins when it asks for `requested`: that one when it is
   * bound to the same identity (binding a user's chosen id on first use), else a fresh one.
   */
  async bind(requested: string | undefined, userId: string | null): Promise<string> {
    const owner = ownerOf(userId);
    if (requested !== undefined) {
      if (ISSUED_SHAPE.test(requested)) {
        if (await this.#issuedFor(requested, owner)) return requested;
      } else if (userId !== null) {
        const before = await this.#options.kv.claim(bindingKey(requested), owner, this.#entryTtl);
        if (before === undefined || before === owner) return requested;
      }
    }
    return this.#issue(owner);
  }

  /** Stops the renewal rounds. */
  stop(): void {
    clearInterval(this.#timer);
  }

  async #issue(owner: string): Promise<string> {
    const random = randomBytes(RANDOM_BYTES);
    const mac = sign(await this.#loadSecret(), random, owner);
    return Buffer.concat([random, mac]).toString("base64url");
  }

  async #issuedFor(id: string, owner: string): Promise<boolean> {
    const bytes = Buffer.from(id, "base64url");
    if (bytes.length !== RANDOM_BYTES + MAC_BYTES) return false;
    const random = bytes.subarray(0, RANDOM_BYTES);
    const mac = bytes.subarray(RANDOM_BYTES);
    if (timingSafeEqual(sign(await this.#loadSecret(), random, owner), mac)) return true;
    // Another node may have made a new secret after the store lost the old one: read it again,
    // at most once a second, so forged ids cannot make every connect a store round trip.
    if (Date.now() - this.#secretReadAt < SECRET_REREAD) return false;
    return timingSafeEqual(sign(await this.#loadSecret(true), random, owner), mac);
  }

  /**
   * The secret shared by the nodes: the store's, or this node's candidate when the store has
   * none (first node, or the store lost it: then the secret known so far is put back, so the
   * ids issued before stay valid).
   */
  #loadSecret(reread = false): Promise<Buffer> {
    if (this.#secret !== undefined && !reread) return this.#secret;
    const known = this.#secret;
    this.#secretReadAt = Date.now();
    const loading = (async () => {
      const candidate = known ? await known : randomBytes(32);
      const text = candidate.toString("base64url");
      const before = await this.#options.kv.claim(SECRET_KEY, text);
      return typeof before === "string" && before !== text
        ? Buffer.from(before, "base64url")
        : candidate;
    })();
    this.#secret = loading;
    // A store that is down must not keep every later connect failing: forget the attempt.
    loading.catch(() => {
      if (this.#secret === loading) this.#secret = known;
    });
    return loading;
  }

  /** Renews the chosen ids of this node's connected users, and puts back a lost secret. */
  async #renewAll(): Promise<void> {
    const { kv, logger } = this.#options;
    // Keyed by session and user: after a lost binding two users may hold one id here.
    const chosen = new Map<string, { sessionId: string; userId: string }>();
    for (const { sessionId, userId } of this.#options.members()) {
      if (userId === null || ISSUED_SHAPE.test(sessionId)) continue;
      chosen.set(`${sessionId}\n${userId}`, { sessionId, userId });
    }
    try {
      if (this.#secret !== undefined) await this.#loadSecret(true);
      const entries = [...chosen.values()];
      for (let start = 0; start < entries.length; start += RENEW_BATCH) {
        await Promise.all(
          entries.slice(start, start + RENEW_BATCH).map(async ({ sessionId, userId }) => {
            const owner = ownerOf(userId);
            const before = await kv.claim(bindingKey(sessionId), owner, this.#entryTtl);
            if (before !== undefined && before !== owner) {
              logger.warn({ sessionId, userId }, "session id bound to another user meanwhile");
              this.#options.lost(sessionId, userId);
            }
          }),
        );
      }
    } catch (error) {
      // The next round tries again: a binding outlives four missed rounds.
      logger.warn({ err: error }, "renewing session bindings failed");
    }
  }
}

function sign(secret: Buffer, random: Buffer, owner: string): Buffer {
  return createHmac("sha256", secret).update(random).update(owner).digest().subarray(0, MAC_BYTES);
}

/** Checks `HubOptions.sessionTtl` against the personal history it must outlive. */
export function resolveSessionTtl(ttl: number | undefined, historyTtl: number): number {
  const value = ttl ?? DEFAULT_SESSION_TTL;
  if (typeof value !== "number" || !(value > 0)) {
    throw new TypeError("sessionTtl must be a positive number of milliseconds");
  }
  if (value < historyTtl) {
    throw new TypeError(
      `sessionTtl (${value} ms) must be at least personalHistory.ttl (${historyTtl} ms): a session's history must not outlive its binding`,
    );
  }
  return value;
}
