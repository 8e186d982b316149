/**
 * Type tests, checked by `npm run typecheck` and never run: hooks bound to a contract infer
 * channel names, event names and payloads, and RPC inputs and results, with no annotation at
 * the call. Each `@ts-expect-error` must hit an error (an `any` would make it unused and fail
 * the check).
 */
import { defineContract, type ReceivedEvent, type SubscriptionState } from "@switchyard/client";
import { expectTypeOf } from "vitest";
import { z } from "zod";
import {
  createHooks,
  type StateValueView,
  useJob,
  useLatestEvent,
  useStateValue,
  useSubscription,
} from "../src/index.js";

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

const typed = createHooks(contract);

export function TypedChannels() {
  const progress = typed.useLatestEvent("job:7f3a", "progress");
  expectTypeOf(progress).toEqualTypeOf<{ percent: number } | undefined>();
  const booked = typed.useLatestEvent("equipment", "booked");
  expectTypeOf(booked).toEqualTypeOf<{ id: string; at: Date } | undefined>();
  // @ts-expect-error: no such channel in the contract
  typed.useLatestEvent("chat:lobby", "message");
  // @ts-expect-error: `booked` is not an event of job channels
  typed.useLatestEvent("job:1", "booked");

  typed.useSubscription("job:1", {
    events: ["done"],
    onEvent: (event) => {
      // A union discriminated by the event's name.
      if (event.event === "progress") expectTypeOf(event.data).toEqualTypeOf<{ percent: number }>();
      else expectTypeOf(event.data).toEqualTypeOf<{ result: string }>();
    },
  });
  // @ts-expect-error: `booked` is not an event of job channels
  typed.useSubscription("job:1", { events: ["booked"] });

  const feed = typed.useEventList("equipment", { limit: 10 });
  expectTypeOf(feed).toEqualTypeOf<readonly ReceivedEvent<"booked", { id: string; at: Date }>[]>();
  return null;
}

export function TypedRpc() {
  const add = typed.useRpc("math.add");
  expectTypeOf(add.data).toEqualTypeOf<number | undefined>();
  expectTypeOf(add.call).parameter(0).toEqualTypeOf<{ a: number; b: number }>();
  expectTypeOf(add.call({ a: 1, b: 2 })).resolves.toEqualTypeOf<number>();
  // @ts-expect-error: `b` is missing
  add.run({ a: 1 });
  // @ts-expect-error: no such method
  typed.useRpc("math.sub");

  const list = typed.useRpc("jobs.list");
  expectTypeOf(list.data).toEqualTypeOf<string[] | undefined>();
  list.run(); // no input schema: the input is optional
  return null;
}

export function Untyped() {
  // Without a contract: any channel, any event, unknown payloads.
  const latest = useLatestEvent("anything", "whatever");
  expectTypeOf(latest).toEqualTypeOf<unknown>();
  const status = useSubscription("news").status;
  expectTypeOf(status).toEqualTypeOf<SubscriptionState["status"]>();
  const job = useJob("7f3a");
  expectTypeOf(job.percent).toEqualTypeOf<number>();
  expectTypeOf(job.cancel).returns.resolves.toHaveProperty("status");
  const damping = useStateValue<{ damping: number }, "damping">("settings", "damping");
  expectTypeOf(damping).toEqualTypeOf<StateValueView<number>>();
  // @ts-expect-error: the value's type is the key's
  damping.set("high");
  return null;
}
