import { SwitchyardError } from "@switchyard/protocol";
import { DEFAULT_LIMITS, type LimitOptions } from "../options.js";

/** The connection limits of {@link LimitOptions} (each `Infinity` by default). */
export type ConnectionLimitOptions = Pick<
  LimitOptions,
  "maxConnections" | "maxConnectionsPerUser" | "maxConnectionsPerIp"
>;

/** Who holds a connection slot: its user (null when anonymous) and remote address. */
export interface ConnectionOwner {
  userId: string | null;
  ip: string;
}

/** Live counts, for stats and for checking that memory stays bounded. */
export interface ConnectionCounts {
  /** Connections holding a slot. */
  total: number;
  /** Users with at least one connection. */
  users: number;
  /** Remote addresses with at least one connection. */
  ips: number;
}

/**
 * Counts the connections of one hub node in total, per user and per remote address, and
 * refuses a new one past any limit. Anonymous connections count towards the total and their
 * address, not towards a user. A user or address is forgotten when its last connection
 * goes, so memory follows the live connections, not everyone ever seen.
 *
 * @example
 * const limits = new ConnectionLimits({ maxConnectionsPerUser: 5 });
 * const refused = limits.tryAcquire({ userId, ip });
 * if (refused) return close(refused); // too_many_connections, 4101
 * socket.once("close", () => limits.release({ userId, ip }));
 */
export class ConnectionLimits {
  readonly #options: ConnectionLimitOptions;
  readonly #perUser = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(options: Partial<ConnectionLimitOptions> = {}) {
    this.#options = {
      maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
      maxConnectionsPerUser: options.maxConnectionsPerUser ?? DEFAULT_LIMITS.maxConnectionsPerUser,
      maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_LIMITS.maxConnectionsPerIp,
    };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!(value >= 0)) throw new RangeError(`${name} must be >= 0, got ${value}`);
    }
  }

  /**
   * Takes a slot for a new connection of `owner`. Returns null when it fits, or a
   * `too_many_connections` error naming the limit that was hit (and takes nothing).
   * Every successful call must be matched by one {@link release} with the same owner.
   */
  tryAcquire(owner: ConnectionOwner): SwitchyardError | null {
    const { maxConnections, maxConnectionsPerUser, maxConnectionsPerIp } = this.#options;
    if (this.#total >= maxConnections) {
      return refuse(`The server is full: it accepts at most ${maxConnections} connections`);
    }
    if (owner.userId !== null && (this.#perUser.get(owner.userId) ?? 0) >= maxConnectionsPerUser) {
      return refuse(
        `This user already has the most connections allowed per user (${maxConnectionsPerUser})`,
      );
    }
    if ((this.#perIp.get(owner.ip) ?? 0) >= maxConnectionsPerIp) {
      return refuse(
        `This address already has the most connections allowed per IP (${maxConnectionsPerIp})`,
      );
    }
    this.#total += 1;
    if (owner.userId !== null) increment(this.#perUser, owner.userId);
    increment(this.#perIp, owner.ip);
    return null;
  }

  /** Gives back the slot taken by a successful {@link tryAcquire} of the same owner. */
  release(owner: ConnectionOwner): void {
    // Counts never go negative, even if a caller releases twice.
    if (this.#total > 0) this.#total -= 1;
    if (owner.userId !== null) decrement(this.#perUser, owner.userId);
    decrement(this.#perIp, owner.ip);
  }

  /** Connections of one user (0 when none). */
  ofUser(userId: string): number {
    return this.#perUser.get(userId) ?? 0;
  }

  /** Connections from one remote address (0 when none). */
  ofIp(ip: string): number {
    return this.#perIp.get(ip) ?? 0;
  }

  /** The live counts. */
  counts(): ConnectionCounts {
    return { total: this.#total, users: this.#perUser.size, ips: this.#perIp.size };
  }
}

function refuse(message: string): SwitchyardError {
  return new SwitchyardError("too_many_connections", message);
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = counts.get(key);
  if (count === undefined) return;
  if (count <= 1) counts.delete(key);
  else counts.set(key, count - 1);
}
