import { SwitchyardError } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AccessContext, HubOptions } from "../../src/index.js";
import { connected, OPEN_POLICY, RawClient, startHub } from "../helpers/fixtures.js";
import { nextTurn, untilOffset } from "../helpers/streams.js";
import { signToken, TEST_SECRET } from "../helpers/tokens.js";

/** The error code of a subscribe (undefined when it succeeded). */
async function subscribeCode(client: RawClient, channel: string): Promise<string | undefined> {
  const reply = await client.request({ type: "subscribe", channel });
  return (reply.error as { code: string } | undefined)?.code;
}

/** The error code of a client publish (undefined when it succeeded). */
async function publishCode(
  client: RawClient,
  channel: string,
  event = "say",
  data: unknown = {},
): Promise<string | undefined> {
  const reply = await client.request({ type: "publish", channel, event, data });
  return (reply.error as { code: string } | undefined)?.code;
}

/** The code of the SwitchyardError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return (error as SwitchyardError).code;
  }
  throw new Error("expected a rejection");
}

function withAuth(namespaces: HubOptions["namespaces"]): HubOptions {
  return { auth: { secret: TEST_SECRET }, allowAnonymous: true, namespaces };
}

describe("built-in access rules", () => {
  it('"anyone" lets anonymous clients subscribe', async () => {
    const { url } = await startHub(withAuth({ news: { subscribe: "anyone" } }));
    const anon = await connected(url);
    expect(await subscribeCode(anon, "news:1")).toBeUndefined();
  });

  it('"authenticated" (the default) needs a token', async () => {
    const { url } = await startHub(withAuth({ room: { publish: "authenticated" } }));
    const anon = await connected(url);
    expect(await subscribeCode(anon, "room:1")).toBe("forbidden");
    expect(await publishCode(anon, "room:1")).toBe("forbidden");
    const ada = await connected(url, { token: await signToken("ada") });
    expect(await subscribeCode(ada, "room:1")).toBeUndefined();
    expect(await publishCode(ada, "room:1")).toBeUndefined();
  });

  it('"token" allows exactly the channels of the channels claim, patterns included', async () => {
    const { url } = await startHub(
      withAuth({ job: { subscribe: "token" }, sim: { subscribe: "token", publish: "token" } }),
    );
    const ada = await connected(url, {
      token: await signToken("ada", { channels: ["job:*", "sim:42"] }),
    });
    expect(await subscribeCode(ada, "job:7f3a")).toBeUndefined();
    expect(await subscribeCode(ada, "job:other")).toBeUndefined();
    expect(await subscribeCode(ada, "sim:42")).toBeUndefined();
    expect(await subscribeCode(ada, "sim:43")).toBe("forbidden");
    expect(await subscribeCode(ada, "sim:420")).toBe("forbidden");
    expect(await publishCode(ada, "sim:42")).toBeUndefined();
    expect(await publishCode(ada, "sim:43")).toBe("forbidden");

    const bob = await connected(url, { token: await signToken("bob") });
    expect(await subscribeCode(bob, "job:7f3a")).toBe("forbidden");
    const anon = await connected(url);
    expect(await subscribeCode(anon, "job:7f3a")).toBe("forbidden");
  });

  it('"nobody" refuses every client while the server may still publish', async () => {
    const { url, hub } = await startHub(withAuth({ audit: { subscribe: "nobody" } }));
    const ada = await connected(url, { token: await signToken("ada") });
    expect(await subscribeCode(ada, "audit:1")).toBe("forbidden");
    expect(await hub.publish("audit:1", "entry", { n: 1 })).toMatchObject({ offset: 1 });
  });

  it("client publishes are refused by default; the server may always publish", async () => {
    const { url, hub } = await startHub(withAuth({ news: { subscribe: "anyone" } }));
    const ada = await connected(url, { token: await signToken("ada") });
    await ada.request({ type: "subscribe", channel: "news:1" });
    expect(await publishCode(ada, "news:1")).toBe("forbidden");
    await hub.publish("news:1", "headline", { title: "hi" });
    await untilOffset(ada, "news:1", 1);
    expect(ada.events("news:1").map((frame) => frame.event)).toEqual(["headline"]);
  });

  it("personal channels belong to their owner", async () => {
    const { url } = await startHub(withAuth({}));
    const ada = await connected(url, { token: await signToken("ada"), sessionId: "s-ada" });
    expect(await subscribeCode(ada, "$user:bob")).toBe("forbidden");
    expect(await subscribeCode(ada, "$session:s-bob")).toBe("forbidden");
    expect(await subscribeCode(ada, "$user:ada")).toBeUndefined();
    expect(await publishCode(ada, "$user:ada")).toBe("forbidden");
  });
});

describe("rule functions", () => {
  it("decide per request with the documented context, sync or async", async () => {
    const seen: AccessContext[] = [];
    const { url } = await startHub(
      withAuth({
        inbox: {
          subscribe: (context) => {
            seen.push(context);
            return context.name === context.userId;
          },
        },
        team: {
          subscribe: async (context) => {
            await nextTurn();
            return context.claims.team === context.name;
          },
        },
      }),
    );
    const ada = new RawClient(url);
    const result = await ada.connect({
      token: await signToken("ada", { team: "red" }),
      sessionId: "s-ada",
    });
    expect(await subscribeCode(ada, "inbox:ada")).toBeUndefined();
    expect(await subscribeCode(ada, "inbox:bob")).toBe("forbidden");
    expect(await subscribeCode(ada, "team:red")).toBeUndefined();
    expect(await subscribeCode(ada, "team:blue")).toBe("forbidden");

    expect(seen[0]).toEqual({
      channel: "inbox:ada",
      name: "ada",
      clientId: result.clientId,
      sessionId: "s-ada",
      userId: "ada",
      claims: expect.objectContaining({ sub: "ada", team: "red" }),
    });
    const anon = await connected(url);
    expect(await subscribeCode(anon, "inbox:ada")).toBe("forbidden");
    expect(seen.at(-1)).toMatchObject({ userId: null, claims: {} });
  });

  it("send the code and message of a thrown SwitchyardError; other errors stay private", async () => {
    const { url } = await startHub(
      withAuth({
        vault: {
          subscribe: () => {
            throw new SwitchyardError("forbidden", "The vault is closed on Sundays");
          },
          publish: async () => {
            throw new SwitchyardError("invalid_data", "Deposits need an amount");
          },
        },
        buggy: {
          subscribe: () => {
            throw new Error("database password is hunter2");
          },
        },
      }),
    );
    const ada = await connected(url, { token: await signToken("ada") });
    const subscribe = await ada.request({ type: "subscribe", channel: "vault:1" });
    expect(subscribe.error).toEqual({
      code: "forbidden",
      message: "The vault is closed on Sundays",
    });
    const publish = await ada.request({ type: "publish", channel: "vault:1", event: "deposit" });
    expect(publish.error).toMatchObject({ code: "invalid_data" });
    const buggy = await ada.request({ type: "subscribe", channel: "buggy:1" });
    expect(buggy.error).toMatchObject({ code: "internal_error" });
    expect(JSON.stringify(buggy.error)).not.toContain("hunter2");
    // Nothing was subscribed, and the connection is fine.
    expect((await ada.request({ type: "ping" })).result).toEqual({});
    expect(ada.closeCode).toBeUndefined();
  });
});

describe("event schemas", () => {
  const SCHEMAS: HubOptions = {
    ...OPEN_POLICY,
    namespaces: {
      job: {
        subscribe: "anyone",
        publish: "anyone",
        events: {
          progress: z.object({ percent: z.number().min(0).max(100), step: z.string().default("") }),
          done: z.null(),
        },
      },
    },
  };

  it("validate client publishes, with the issues in the error details", async () => {
    const { url } = await startHub(SCHEMAS);
    const client = await connected(url);
    const bad = await client.request({
      type: "publish",
      channel: "job:1",
      event: "progress",
      data: { percent: 140 },
    });
    expect(bad.error).toMatchObject({
      code: "invalid_data",
      details: { issues: [expect.objectContaining({ path: ["percent"] })] },
    });
    expect(await publishCode(client, "job:1", "progres", { percent: 1 })).toBe("unknown_event");
    // Names inherited from Object.prototype are not declared events.
    expect(await publishCode(client, "job:1", "constructor", {})).toBe("unknown_event");
    expect(await publishCode(client, "job:1", "progress", { percent: 5 })).toBeUndefined();
  });

  it("validate server publishes, and deliver the parsed value", async () => {
    const { url, hub } = await startHub(SCHEMAS);
    const client = await connected(url);
    await client.request({ type: "subscribe", channel: "job:1" });
    expect(await rejection(hub.publish("job:1", "progress", { percent: "half" }))).toBe(
      "invalid_data",
    );
    expect(await rejection(hub.publish("job:1", "finished", null))).toBe("unknown_event");
    await hub.publish("job:1", "progress", { percent: 50 });
    await hub.publish("job:1", "done");
    await untilOffset(client, "job:1", 2);
    expect(client.events("job:1").map((frame) => [frame.event, frame.data, frame.offset])).toEqual([
      ["progress", { percent: 50, step: "" }, 1],
      ["done", null, 2],
    ]);
  });

  it("accept async schemas", async () => {
    const { hub } = await startHub({
      ...OPEN_POLICY,
      namespaces: {
        user: {
          events: {
            renamed: z.object({
              name: z.string().refine(async (name) => name.trim().length > 0, "empty name"),
            }),
          },
        },
      },
    });
    expect(await rejection(hub.publish("user:1", "renamed", { name: "  " }))).toBe("invalid_data");
    expect(await hub.publish("user:1", "renamed", { name: "Ada" })).toMatchObject({ offset: 1 });
  });
});

describe("history: false", () => {
  it("has no offsets, no epoch and no recovery", async () => {
    const { url, hub } = await startHub({
      ...OPEN_POLICY,
      namespaces: { cursor: { subscribe: "anyone", history: false } },
    });
    const client = await connected(url);
    const reply = await client.request({ type: "subscribe", channel: "cursor:1" });
    expect(reply.result).toEqual({ channel: "cursor:1" });
    expect(await hub.publish("cursor:1", "move", { x: 1 })).toEqual({});
    const event = await client.next((frame) => frame.type === "event");
    expect(event).toMatchObject({ channel: "cursor:1", event: "move", data: { x: 1 } });
    expect(event.offset).toBeUndefined();

    const again = await connected(url);
    const recovering = await again.request({
      type: "subscribe",
      channel: "cursor:1",
      since: { epoch: "anything", offset: 0 },
    });
    expect(recovering.result).toEqual({ channel: "cursor:1", recovered: false });
    expect(await rejection(hub.history("cursor:1"))).toBe("not_found");
  });
});

describe("defaultNamespace", () => {
  it("is off by default: undeclared namespaces are unknown", async () => {
    const { url, hub } = await startHub({
      allowAnonymous: true,
      namespaces: { news: { subscribe: "anyone" } },
    });
    const client = await connected(url);
    expect(await subscribeCode(client, "misc:1")).toBe("unknown_namespace");
    expect(await subscribeCode(client, "lobby")).toBe("unknown_namespace");
    expect(await rejection(hub.publish("misc:1", "x"))).toBe("unknown_namespace");
    expect(await subscribeCode(client, "news:1")).toBeUndefined();
  });

  it("covers undeclared namespaces and bare names; declared ones keep their policy", async () => {
    const { url, hub } = await startHub({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone", history: { size: 2 } },
      namespaces: { secret: { subscribe: "nobody" } },
    });
    const client = await connected(url);
    expect(await subscribeCode(client, "misc:1")).toBeUndefined();
    expect(await subscribeCode(client, "lobby")).toBeUndefined();
    expect(await subscribeCode(client, "secret:1")).toBe("forbidden");
    // The default's history settings apply.
    for (let i = 0; i < 3; i++) await hub.publish("misc:1", "x", { i });
    const history = await hub.history("misc:1");
    expect(history.events.map((event) => event.offset)).toEqual([2, 3]);
  });

  it('a declared "" namespace governs bare names', async () => {
    const { url } = await startHub({
      allowAnonymous: true,
      defaultNamespace: { subscribe: "anyone" },
      namespaces: { "": { subscribe: "nobody" } },
    });
    const client = await connected(url);
    expect(await subscribeCode(client, "lobby")).toBe("forbidden");
    expect(await subscribeCode(client, "misc:1")).toBeUndefined();
  });
});
