/**
 * Type-level tests of contracts: `npm run typecheck` fails when a type is wrong (each
 * `@ts-expect-error` must hit an error); the runtime part checks the calls reach the wire.
 */
import type { PublishResult } from "@switchyard/protocol";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type ChannelEvent,
  type ChannelName,
  type Client,
  createClient,
  defineContract,
  type EventInput,
  type ReceivedEvent,
  type RpcOutput,
  type Subscription,
} from "../src/index.js";
import { FakeSocket, flush, useFakeSockets } from "./fake-socket.js";

const contract = defineContract({
  channels: {
    "job:*": {
      events: {
        progress: z.object({ percent: z.number() }),
        done: z.object({ result: z.string() }),
      },
    },
    equipment: { events: { booked: z.object({ id: z.string(), at: z.coerce.date() }) } },
  },
  rpc: {
    "math.add": { input: z.object({ a: z.number(), b: z.number() }), output: z.number() },
    "jobs.list": { output: z.array(z.string()) },
  },
});
type C = typeof contract;

describe("contract types", () => {
  it("maps patterns to channel names", () => {
    expectTypeOf<ChannelName<C>>().toEqualTypeOf<`job:${string}` | "equipment">();
    expectTypeOf<"job:7f3a">().toExtend<ChannelName<C>>();
    expectTypeOf<"chat:1">().not.toExtend<ChannelName<C>>();
  });

  it("types events as a union discriminated by name, with schema output as data", () => {
    type Job = ChannelEvent<C, "job:1">;
    expectTypeOf<Job>().toEqualTypeOf<
      ReceivedEvent<"progress", { percent: number }> | ReceivedEvent<"done", { result: string }>
    >();
    expectTypeOf<ChannelEvent<C, "equipment">["data"]>().toEqualTypeOf<{ id: string; at: Date }>();
    // Publishers pass the schema's input (z.coerce.date() accepts anything).
    expectTypeOf<EventInput<C, "equipment", "booked">>().toEqualTypeOf<{
      id: string;
      at: unknown;
    }>();
  });

  it("types RPC input and output", () => {
    expectTypeOf<RpcOutput<C, "math.add">>().toEqualTypeOf<number>();
    expectTypeOf<RpcOutput<C, "jobs.list">>().toEqualTypeOf<string[]>();
  });

  it("types the client's methods", () => {
    const client = createClient({ url: "ws://x", contract, autoConnect: false });
    expectTypeOf(client).toEqualTypeOf<Client<C>>();
    const sub = client.subscribe("job:9", {
      events: ["progress"],
      onEvent: (event) => {
        if (event.event === "progress") expectTypeOf(event.data.percent).toEqualTypeOf<number>();
        else expectTypeOf(event.data.result).toEqualTypeOf<string>();
      },
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<ChannelEvent<C, "job:9">>>();
    // Checked by the compiler only: the calls are never made.
    const accepted = () => {
      expectTypeOf(client.rpc("math.add", { a: 1, b: 2 })).toEqualTypeOf<Promise<number>>();
      expectTypeOf(client.publish("job:9", "progress", { percent: 5 })).toEqualTypeOf<
        Promise<PublishResult>
      >();
    };
    const rejected = () => {
      // @ts-expect-error: not a channel of the contract
      client.subscribe("chat:1");
      // @ts-expect-error: not an event of job channels
      client.publish("job:9", "booked", { id: "x", at: 1 });
      // @ts-expect-error: wrong data
      client.publish("job:9", "progress", { percent: "5" });
      // @ts-expect-error: the data is required
      client.publish("job:9", "progress");
      // @ts-expect-error: unknown method
      client.rpc("math.sub", { a: 1, b: 2 });
      // @ts-expect-error: wrong input
      client.rpc("math.add", { a: 1 });
      // @ts-expect-error: unknown filter event
      client.subscribe("job:9", { events: ["booked"] });
    };
    void accepted;
    void rejected;
    client.close();
  });

  it("leaves everything open without a contract", () => {
    const client = createClient({ url: "ws://x", autoConnect: false });
    expectTypeOf(client.subscribe("anything:1")).toEqualTypeOf<
      Subscription<ReceivedEvent<string, unknown>>
    >();
    expectTypeOf<ReturnType<typeof client.rpc<"any.method">>>().toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.publish).toBeCallableWith("chat:1", "message");
    client.close();
  });

  it("leaves a missing section untyped", () => {
    const rpcOnly = defineContract({ rpc: { ping: { output: z.literal("pong") } } });
    expectTypeOf<ChannelName<typeof rpcOnly>>().toEqualTypeOf<string>();
    expectTypeOf<RpcOutput<typeof rpcOnly, "ping">>().toEqualTypeOf<"pong">();
  });
});

describe("contract at run time", () => {
  useFakeSockets();

  it("returns the contract unchanged and sends typed calls as plain frames", async () => {
    expect(defineContract(contract)).toBe(contract);
    const client = createClient({ url: "ws://x", contract, WebSocket: FakeSocket });
    await flush();
    const socket = FakeSocket.last;
    socket.accept();
    const sum = client.rpc("math.add", { a: 1, b: 2 });
    const rpc = socket.frames("rpc")[0];
    expect(rpc).toMatchObject({ method: "math.add", data: { a: 1, b: 2 } });
    socket.reply(rpc?.id, 3);
    await expect(sum).resolves.toBe(3);
    client.close();
  });
});
