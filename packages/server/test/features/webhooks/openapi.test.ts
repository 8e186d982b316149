/**
 * The OpenAPI document's `webhooks` section: one entry per event type, and schemas that the
 * bodies a real hub sends satisfy (checked by a JSON Schema validator built from the document).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApi, type Json, WEBHOOK_EVENTS } from "../../../src/index.js";
import { connected, startHub } from "../../helpers/fixtures.js";
import { startReceiver } from "./receiver.js";

interface Doc {
  webhooks?: Record<
    string,
    { post: { requestBody: { content: Record<string, { schema: Json }> } } }
  >;
  components: { schemas: Record<string, Json> };
}

async function openApi(hub: Parameters<typeof createHttpApi>[0]): Promise<Doc> {
  const api = createHttpApi(hub, { apiKey: "openapi-test-key-0123456789" });
  const response = await api.request("http://hub.test/api/openapi.json");
  return (await response.json()) as Doc;
}

/** A validator of `name` from the document's schemas (their refs pointed at `$defs`). */
function validator(doc: Doc, name: string) {
  const text = JSON.stringify(doc.components.schemas).replaceAll(
    "#/components/schemas/",
    "#/$defs/",
  );
  const defs = JSON.parse(text) as Record<string, Record<string, unknown>>;
  // `discriminator` is OpenAPI's, not JSON Schema's: the oneOf alone decides.
  for (const schema of Object.values(defs)) delete schema.discriminator;
  return z.fromJSONSchema({ $ref: `#/$defs/${name}`, $defs: defs } as never);
}

describe("the webhooks in the OpenAPI document", () => {
  it("lists every event type with the common signed body", async () => {
    const receiver = await startReceiver();
    const { hub } = await startHub(receiver.hubOptions());
    const doc = await openApi(hub);
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...WEBHOOK_EVENTS].sort());
    const connectedHook = doc.webhooks?.connected?.post;
    expect(connectedHook?.requestBody.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/WebhookBody",
    });
    expect(JSON.stringify(connectedHook)).toContain("Switchyard-Signature");
    for (const type of WEBHOOK_EVENTS) {
      const name = `${type
        .split("_")
        .map((part) => part[0]?.toUpperCase() + part.slice(1))
        .join("")}WebhookEvent`;
      expect(doc.components.schemas[name]).toMatchObject({ properties: { type: { const: type } } });
    }
  });

  it("has no webhooks section when the hub sends none", async () => {
    const { hub } = await startHub();
    expect(await openApi(hub)).not.toHaveProperty("webhooks");
  });

  it("describes the bodies a hub really sends, and no others", async () => {
    const receiver = await startReceiver();
    const { hub, url } = await startHub(receiver.hubOptions({ grace: 10 }));
    const body = validator(await openApi(hub), "WebhookBody");
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "news" });
    const job = await hub.jobs.create({ id: "doc-job" });
    await job.fail("nope");
    client.ws.close(1000);
    await receiver.event("channel_vacated");
    await receiver.event("job_failed");
    expect(new Set(receiver.accepted.map((event) => event.type)).size).toBe(7);
    for (const request of receiver.requests) {
      expect(body.safeParse(JSON.parse(request.body)).success).toBe(true);
    }
    const wrong = { events: [{ ...receiver.accepted[0], type: "job_failed" }] };
    expect(body.safeParse(wrong).success).toBe(false);
    expect(body.safeParse({ events: [] }).success).toBe(false);
  });
});
