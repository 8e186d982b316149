/**
 * The feature seam (`hub.use`): what a feature registers — a namespace with its snapshot, an
 * RPC, HTTP routes with their OpenAPI, stats, a close hook — reaches clients, the HTTP API,
 * `stats()` and `close()` as the built-in jobs do.
 */
import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { createHttpApi, type Feature, type HubOptions } from "../../src/index.js";
import { connected, OPEN_POLICY, startHub } from "../helpers/fixtures.js";

const API_KEY = "feature-test-key-0123456789";

/** A small feature: counters named by channel, readable over WebSocket and HTTP. */
function countersFeature(closed: string[]): Feature<{ bump(name: string): Promise<number> }> {
  return {
    name: "counters",
    install(host) {
      const counts = new Map<string, number>();
      host.namespace("counter", {
        subscribe: "anyone",
        snapshot: ({ name }) => ({ count: counts.get(name) ?? 0 }),
      });
      const bump = async (name: string) => {
        const count = (counts.get(name) ?? 0) + 1;
        counts.set(name, count);
        await host.hub.publish(`counter:${name}`, "bumped", { count });
        return count;
      };
      host.hub.rpc("counter.bump", (data: { name: string }) => bump(data.name));
      host.routes(
        [
          {
            method: "GET",
            path: "/api/counters/:name",
            handle: async ({ params }) => {
              const count = counts.get(params.name ?? "");
              if (count === undefined) throw new SwitchyardError("not_found", "No such counter");
              return { name: params.name, count };
            },
          },
        ],
        { paths: { "/api/counters/{name}": { get: { operationId: "getCounter" } } } },
      );
      host.stats(() => ({ counters: counts.size }));
      host.onClose(() => {
        closed.push("counters");
      });
      return { bump };
    },
  };
}

describe("a feature installed with hub.use", () => {
  it("declares a namespace whose snapshot reaches subscribers, and an RPC", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    const counters = hub.use(countersFeature([]));
    await counters.bump("a");
    const client = await connected(url);
    const reply = await client.request({ type: "subscribe", channel: "counter:a" });
    expect(reply.result).toMatchObject({ channel: "counter:a", snapshot: { count: 1 } });
    const rpc = await client.request({ type: "rpc", method: "counter.bump", data: { name: "a" } });
    expect(rpc.result).toBe(2);
    const event = await client.next((frame) => frame.type === "event");
    expect(event).toMatchObject({ channel: "counter:a", event: "bumped", data: { count: 2 } });
  });

  it("lets the application's namespace options win over the feature's, field by field", async () => {
    const options: HubOptions = {
      ...OPEN_POLICY,
      namespaces: { counter: { subscribe: "authenticated" } },
    };
    const { url, hub } = await startHub(options);
    hub.use(countersFeature([]));
    const anonymous = await connected(url);
    const reply = await anonymous.request({ type: "subscribe", channel: "counter:a" });
    expect(reply.error).toMatchObject({ code: "forbidden" });
  });

  it("adds its routes and their OpenAPI to the HTTP API", async () => {
    const { hub } = await startHub(OPEN_POLICY);
    const counters = hub.use(countersFeature([]));
    await counters.bump("b");
    const api = createHttpApi(hub, { apiKey: API_KEY });
    const headers = { authorization: `Bearer ${API_KEY}` };
    const found = await api.request("/api/counters/b", { headers });
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ name: "b", count: 1 });
    const missing = await api.request("/api/counters/none", { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await api.request("/api/counters/b")).status).toBe(401);
    const document = (await (await api.request("/api/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    expect(document.paths["/api/counters/{name}"]).toEqual({
      get: { operationId: "getCounter" },
    });
    // The built-in jobs are a feature like this one.
    expect(document.paths["/api/jobs"]).toBeDefined();
  });

  it("reports its figures in stats() and is closed with the hub", async () => {
    const closed: string[] = [];
    const { hub } = await startHub(OPEN_POLICY);
    const counters = hub.use(countersFeature(closed));
    await counters.bump("a");
    await counters.bump("b");
    expect(hub.stats().features).toMatchObject({ counters: { counters: 2 }, jobs: {} });
    expect(hub.features().map((feature) => feature.name)).toEqual(["jobs", "presence", "counters"]);
    await hub.close();
    expect(closed).toEqual(["counters"]);
  });

  it("adds its fields to the subscribe replies of the channels it answers for", async () => {
    const { url, hub } = await startHub(OPEN_POLICY);
    hub.use({
      name: "greeter",
      install(host) {
        host.subscribeReply("greeting", ({ channel, clientId }) =>
          channel.startsWith("hello:") ? { to: clientId } : undefined,
        );
        expect(() => host.subscribeReply("snapshot", () => 1)).toThrow(/taken/);
      },
    });
    const client = await connected(url);
    const connect = await client.next((frame) => frame.type === "reply" && frame.id === 1);
    const { clientId } = connect.result as { clientId: string };
    const greeted = await client.request({ type: "subscribe", channel: "hello:1" });
    expect(greeted.result).toMatchObject({ channel: "hello:1", greeting: { to: clientId } });
    const plain = await client.request({ type: "subscribe", channel: "other:1" });
    expect(plain.result).not.toHaveProperty("greeting");
  });

  it("is installed once per name", async () => {
    const { hub } = await startHub(OPEN_POLICY);
    hub.use(countersFeature([]));
    expect(() => hub.use(countersFeature([]))).toThrow(/counters/);
  });
});
