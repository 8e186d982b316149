import type { WebhookEventData } from "./events.js";

/** A presence change as the presence feature announces it (`join` / `leave`). */
export type PresenceChange = WebhookEventData["presence_join"];

/**
 * Holds each presence leave back for `grace` ms: when the same member (the same user, or for
 * an anonymous client the same connection) joins the channel again within it — a reload, a
 * reconnect — neither the leave nor the join is reported.
 */
export class PresenceDebounce {
  private readonly pending = new Map<string, { change: PresenceChange; timer: NodeJS.Timeout }>();

  constructor(
    private readonly grace: number,
    private readonly report: (
      type: "presence_join" | "presence_leave",
      change: PresenceChange,
    ) => void,
  ) {}

  join(change: PresenceChange): void {
    const key = keyOf(change);
    const held = this.pending.get(key);
    if (held !== undefined) {
      clearTimeout(held.timer);
      this.pending.delete(key);
      return;
    }
    this.report("presence_join", change);
  }

  leave(change: PresenceChange): void {
    const key = keyOf(change);
    const held = this.pending.get(key);
    if (held !== undefined) clearTimeout(held.timer);
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.report("presence_leave", change);
    }, this.grace);
    timer.unref();
    this.pending.set(key, { change, timer });
  }

  /** Reports the leaves still held (the hub closes). */
  flush(): void {
    for (const [key, { change, timer }] of this.pending) {
      clearTimeout(timer);
      this.pending.delete(key);
      this.report("presence_leave", change);
    }
  }
}

function keyOf(change: PresenceChange): string {
  return JSON.stringify([change.channel, change.userId ?? `client:${change.clientId}`]);
}

/** The presence change in `payload`, or undefined when it is not one. */
export function presenceChangeOf(payload: unknown): PresenceChange | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { channel, clientId, userId, info } = payload as Record<string, unknown>;
  if (typeof channel !== "string" || typeof clientId !== "string") return undefined;
  if (userId !== null && typeof userId !== "string") return undefined;
  return { channel, clientId, userId, info: info ?? null };
}
