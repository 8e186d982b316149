import type { Hub } from "@switchyard/server";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** The Prometheus registry of one server, with the hub's figures and Node's default metrics. */
export interface Metrics {
  readonly registry: Registry;
  /** Counts one answered HTTP request (route pattern, method, status). */
  observeRequest(route: string, method: string, status: number): void;
  /** The text exposition format served at `/metrics`. */
  render(): Promise<string>;
  /** The `Content-Type` of {@link Metrics.render}'s output. */
  readonly contentType: string;
}

/**
 * A counter that mirrors a running total read from `hub.stats()` at scrape time. Prometheus
 * counters only go up, so it adds the difference since the last scrape.
 */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
): Counter {
  let last = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const total = read();
      if (total > last) this.inc(total - last);
      last = Math.max(last, total);
    },
  });
}

function readGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * Creates the metrics of a server: a registry of its own (so several servers can share one
 * process), Node's default metrics, and the hub's connections, channels, subscriptions,
 * messages in/out, published events and queued bytes, read from `hub.stats()` at each scrape,
 * and the webhooks' figures when the hub sends webhooks.
 */
export function createMetrics(hub: Hub): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const stats = () => hub.stats();

  readGauge(
    registry,
    "switchyard_connections",
    "Open client connections",
    () => stats().connections,
  );
  readGauge(
    registry,
    "switchyard_channels",
    "Channels with local subscribers",
    () => stats().channels,
  );
  readGauge(registry, "switchyard_subscriptions", "Subscriptions of all clients", () => {
    return stats().subscriptions;
  });
  readGauge(
    registry,
    "switchyard_queued_bytes",
    "Bytes queued for clients, not yet written",
    () => {
      return stats().queuedBytes;
    },
  );
  mirroredCounter(registry, "switchyard_messages_in_total", "Frames received from clients", () => {
    return stats().messagesIn.total;
  });
  mirroredCounter(registry, "switchyard_messages_out_total", "Messages sent to clients", () => {
    return stats().messagesOut.total;
  });
  mirroredCounter(registry, "switchyard_published_total", "Events published on this node", () => {
    return stats().published.total;
  });
  if (hub.webhooks !== undefined) {
    const webhooks = () => hub.webhooks?.stats() ?? { sent: 0, retried: 0, dropped: 0, queued: 0 };
    mirroredCounter(
      registry,
      "switchyard_webhook_events_sent_total",
      "Webhook events the backend accepted",
      () => webhooks().sent,
    );
    mirroredCounter(
      registry,
      "switchyard_webhook_retries_total",
      "Webhook requests sent again after a failure",
      () => webhooks().retried,
    );
    mirroredCounter(
      registry,
      "switchyard_webhook_events_dropped_total",
      "Webhook events given up (retries ran out, queue full, or shutdown)",
      () => webhooks().dropped,
    );
    readGauge(
      registry,
      "switchyard_webhook_events_queued",
      "Webhook events waiting or in flight",
      () => webhooks().queued,
    );
  }
  const requests = new Counter({
    name: "switchyard_http_requests_total",
    help: "HTTP requests answered, by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(route, method, status) {
      requests.inc({ route, method, status: String(status) });
    },
    render: () => registry.metrics(),
  };
}
