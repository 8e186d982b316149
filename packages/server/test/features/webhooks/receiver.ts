import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type HubOptions, verifyWebhook, type WebhookEvent } from "../../../src/index.js";
import { onCleanup } from "../../helpers/fixtures.js";

/** The secret the test hubs sign with. */
export const SECRET = "whsec_test_0123456789";

/** One request the receiver got. */
export interface Received {
  status: number;
  signature: string | undefined;
  body: string;
  events: WebhookEvent[];
  verified: boolean;
}

/**
 * A real HTTP server standing for a backend: it answers the statuses of `plan` to the first
 * requests (then 200), records every request, and keeps the events of the accepted ones.
 */
export async function startReceiver(plan: number[] = []) {
  const requests: Received[] = [];
  const accepted: WebhookEvent[] = [];
  const waiters = new Set<() => void>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const signature = request.headers["switchyard-signature"] as string | undefined;
    const status = plan.shift() ?? 200;
    const events = (JSON.parse(body) as { events: WebhookEvent[] }).events;
    const verified = verifyWebhook(body, signature, SECRET);
    requests.push({ status, signature, body, events, verified });
    if (status === 200) accepted.push(...events);
    response.statusCode = status;
    response.end();
    for (const wake of [...waiters]) wake();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Resolves once `test` holds of what was received. */
  const until = (test: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const wake = () => {
        if (!test()) return;
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      wake();
    });
  const url = `http://127.0.0.1:${port}/hooks`;
  return {
    url,
    requests,
    accepted,
    until,
    /** The accepted events of `type`. */
    of: <T extends WebhookEvent["type"]>(type: T) =>
      accepted.filter((event): event is Extract<WebhookEvent, { type: T }> => event.type === type),
    /** Resolves once an accepted event passes `test`, with it. */
    event: async <T extends WebhookEvent["type"]>(
      type: T,
      test: (event: Extract<WebhookEvent, { type: T }>) => boolean = () => true,
    ): Promise<Extract<WebhookEvent, { type: T }>> => {
      const find = () =>
        accepted.find(
          (event): event is Extract<WebhookEvent, { type: T }> =>
            event.type === type && test(event as Extract<WebhookEvent, { type: T }>),
        );
      await until(() => find() !== undefined);
      return find() as Extract<WebhookEvent, { type: T }>;
    },
    /** Hub options that send webhooks here, quickly (short window, short retries). */
    hubOptions: (webhooks: Partial<NonNullable<HubOptions["webhooks"]>> = {}): HubOptions => ({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone", publish: "anyone" },
      webhooks: {
        url,
        secret: SECRET,
        batch: { size: 100, window: 20 },
        retry: { initialDelay: 10, maxDelay: 50, maxTime: 10_000 },
        grace: 100,
        ...webhooks,
      },
    }),
  };
}
