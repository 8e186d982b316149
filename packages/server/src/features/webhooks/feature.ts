import type { JobError } from "@switchyard/protocol";
import type { ClientInfo, Feature, FeatureEvent } from "../../core/hub-api.js";
import { Batcher } from "./batcher.js";
import {
  type WebhookClient,
  type WebhookEvent,
  type WebhookEventData,
  WebhookEventIds,
  type WebhookJob,
} from "./events.js";
import { ChannelOccupancy } from "./occupancy.js";
import { webhookOpenApi } from "./openapi.js";
import { resolveWebhookOptions, type WebhookEventName, type WebhookOptions } from "./options.js";
import { PresenceDebounce, presenceChangeOf } from "./presence-debounce.js";
import { WebhookSender, type WebhookSenderStats } from "./sender.js";

/** Milliseconds a node's place in a channel's occupancy lasts without renewal. */
const OCCUPANCY_LEASE = 60_000;

/** What `hub.use(webhooksFeature(…))` returns. */
export interface Webhooks {
  /** The sender's figures (also in `hub.stats().features.webhooks`). */
  stats(): WebhookSenderStats;
  /**
   * Sends the events waiting for their batch window now, and resolves once nothing is queued
   * (every batch delivered, or dropped after its retries).
   */
  flush(): Promise<void>;
}

/**
 * Signed webhooks for lifecycle events (docs/webhooks.md): connected, disconnected (with the
 * reason), subscribed, unsubscribed, presence join and leave, channel occupied and vacated
 * (cluster-wide), job completed, failed and cancelled — batched, signed with
 * `Switchyard-Signature`, delivered at least once with retries. `createHub({ webhooks })`
 * installs it.
 *
 * @example
 * hub.use(webhooksFeature({ url: "https://app.example/hooks/switchyard", secret: process.env.WEBHOOK_SECRET }));
 */
export function webhooksFeature(input: WebhookOptions): Feature<Webhooks> {
  const options = resolveWebhookOptions(input);
  return {
    name: "webhooks",
    install(host) {
      const { hub, logger } = host;
      const wanted = (type: WebhookEventName) => options.events.has(type);
      const ids = new WebhookEventIds();
      const sender = new WebhookSender(options, logger);
      const batcher = new Batcher<WebhookEvent>(options.batch, (events) => sender.send(events));
      const report = <T extends WebhookEventName>(type: T, data: WebhookEventData[T]): void => {
        if (!wanted(type)) return;
        const time = Date.now();
        const event = { id: ids.next(time), type, time, node: options.node, data };
        batcher.add(event as WebhookEvent);
      };

      const offs = [
        hub.on("connect", (client) =>
          report("connected", { ...clientOf(client), ip: client.ip, codec: client.codec }),
        ),
        hub.on("disconnect", ({ client, code, reason }) =>
          report("disconnected", { ...clientOf(client), code, reason: reason ?? null }),
        ),
        hub.on("subscribe", ({ client, channel }) =>
          report("subscribed", { ...clientOf(client), channel }),
        ),
        hub.on("unsubscribe", ({ client, channel }) =>
          report("unsubscribed", { ...clientOf(client), channel }),
        ),
      ];

      const occupancy =
        wanted("channel_occupied") || wanted("channel_vacated")
          ? new ChannelOccupancy({
              kv: hub.broker.kv,
              node: options.node,
              grace: options.grace,
              lease: OCCUPANCY_LEASE,
              logger,
              report: (type, channel) => report(type, { channel }),
            })
          : undefined;
      if (occupancy !== undefined) {
        offs.push(
          hub.on("subscribe", ({ channel }) => occupancy.subscribed(channel)),
          hub.on("unsubscribe", ({ channel }) => occupancy.unsubscribed(channel)),
        );
      }

      const presence = new PresenceDebounce(options.grace, report);
      offs.push(hub.on("feature", (event) => heard(event)));
      function heard({ feature, name, payload }: FeatureEvent): void {
        if (feature === "presence" && (name === "join" || name === "leave")) {
          const change = presenceChangeOf(payload);
          if (change === undefined) {
            logger.warn({ name }, "webhooks: a presence announcement without a channel and client");
          } else if (name === "join") presence.join(change);
          else presence.leave(change);
        } else if (feature === "jobs") {
          const ended = jobEndedOf(name, payload);
          if (ended !== undefined) report(ended.type, ended.data);
        }
      }

      host.routes([], webhookOpenApi);
      host.stats(() => ({ ...sender.stats() }));
      host.onClose(async () => {
        for (const off of offs) off();
        presence.flush();
        await occupancy?.close();
        batcher.flushNow();
        await sender.close(options.closeTimeout);
      });
      return {
        stats: () => sender.stats(),
        flush: () => {
          batcher.flushNow();
          return sender.whenIdle();
        },
      };
    },
  };
}

function clientOf(client: ClientInfo): WebhookClient {
  return { clientId: client.clientId, sessionId: client.sessionId, userId: client.userId };
}

type JobReport =
  | { type: "job_completed"; data: WebhookEventData["job_completed"] }
  | { type: "job_failed"; data: WebhookEventData["job_failed"] }
  | { type: "job_cancelled"; data: WebhookEventData["job_cancelled"] };

/** The webhook event of a jobs announcement (`completed`, `failed`, `cancelled`). */
function jobEndedOf(name: string, payload: unknown): JobReport | undefined {
  const { job, cancelReason } = (payload ?? {}) as {
    job?: Record<string, unknown>;
    cancelReason?: unknown;
  };
  if (typeof job !== "object" || job === null || typeof job.id !== "string") return undefined;
  const owner = (job.owner ?? {}) as WebhookJob["owner"];
  const summary: WebhookJob = {
    id: job.id,
    owner: { userId: owner.userId ?? null, sessionId: owner.sessionId ?? null },
    meta: job.meta ?? null,
    createdAt: job.createdAt as number,
    startedAt: (job.startedAt as number | null | undefined) ?? null,
    finishedAt: (job.finishedAt as number | null | undefined) ?? null,
  };
  switch (name) {
    case "completed":
      return { type: "job_completed", data: { job: summary } };
    case "failed":
      return { type: "job_failed", data: { job: summary, error: job.error as JobError } };
    case "cancelled":
      return {
        type: "job_cancelled",
        data: { job: summary, reason: typeof cancelReason === "string" ? cancelReason : null },
      };
    default:
      return undefined;
  }
}
