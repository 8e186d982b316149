import { randomBytes } from "node:crypto";
import type { ErrorCode, JobError } from "@switchyard/protocol";
import type { WebhookEventName } from "./options.js";

/**
 * The webhook event model (docs/webhooks.md): what each event type carries, and the ids a
 * backend de-duplicates by. The OpenAPI `webhooks` section (openapi.ts) describes the same
 * shapes for backends in other languages.
 */

/** The client an event is about. */
export interface WebhookClient {
  clientId: string;
  sessionId: string;
  /** The authenticated user, null for an anonymous client. */
  userId: string | null;
}

/** The job a `job_*` event is about (fetch its result with `GET /api/jobs/{id}`). */
export interface WebhookJob {
  id: string;
  owner: { userId: string | null; sessionId: string | null };
  /** What the producer attached at creation. */
  meta: unknown;
  /** Milliseconds since the Unix epoch, like every time here. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** The `data` of each event type. */
export interface WebhookEventData {
  connected: WebhookClient & { ip: string; codec: "json" | "msgpack" };
  disconnected: WebhookClient & {
    /** The WebSocket close code (1000 normal, 1006 abnormal, 4xxx the hub's). */
    code: number;
    /** The hub's error code when it closed the connection for a reason, else null. */
    reason: ErrorCode | null;
  };
  subscribed: WebhookClient & { channel: string };
  unsubscribed: WebhookClient & { channel: string };
  presence_join: { channel: string; clientId: string; userId: string | null; info: unknown };
  presence_leave: { channel: string; clientId: string; userId: string | null; info: unknown };
  channel_occupied: { channel: string };
  channel_vacated: { channel: string };
  job_completed: { job: WebhookJob };
  job_failed: { job: WebhookJob; error: JobError };
  job_cancelled: { job: WebhookJob; reason: string | null };
}

/** One event of a webhook request: `type` says what `data` holds. */
export type WebhookEvent = {
  [T in WebhookEventName]: {
    /** Unique and time-ordered: a retried request carries the same ids; de-duplicate by it. */
    id: string;
    type: T;
    /** When it happened, in milliseconds since the Unix epoch (the node's clock). */
    time: number;
    /** The hub node that reported it. */
    node: string;
    data: WebhookEventData[T];
  };
}[WebhookEventName];

/** The JSON body of every webhook request. */
export interface WebhookBody {
  events: WebhookEvent[];
}

/**
 * Event ids: the time in milliseconds (12 hex digits), a random tag of this generator and a
 * counter, so ids sort by time, and no two nodes (or restarts) make the same one.
 */
export class WebhookEventIds {
  private readonly tag = randomBytes(5).toString("hex");
  private counter = 0;

  next(time: number): string {
    this.counter = (this.counter + 1) % 0x1_0000_0000;
    const clock = time.toString(16).padStart(12, "0");
    return `${clock}-${this.tag}-${this.counter.toString(16).padStart(8, "0")}`;
  }
}
