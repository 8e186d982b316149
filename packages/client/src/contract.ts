import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ReceivedEvent } from "./subscription.js";

/**
 * Typed channels and RPC methods shared by the hub and its clients. Schemas are Standard
 * Schema objects (zod, valibot, arktype, ...); the client uses them for types only.
 */

/** The events of a family of channels. */
export interface ChannelContract {
  readonly events: Readonly<Record<string, StandardSchemaV1>>;
}

/** One RPC method: the schema of its input and of its result. */
export interface RpcContract {
  readonly input?: StandardSchemaV1;
  readonly output?: StandardSchemaV1;
}

/**
 * A contract. Channel keys are names or patterns where `*` matches any text (`"job:*"`
 * matches `job:7f3a`). A section left out is untyped: any channel, event or method.
 */
export interface Contract {
  readonly channels?: Readonly<Record<string, ChannelContract>>;
  readonly rpc?: Readonly<Record<string, RpcContract>>;
}

/**
 * Declares a contract. Returns it unchanged, with its exact type kept for `createClient`.
 *
 * @example
 * import { z } from "zod";
 *
 * export const contract = defineContract({
 *   channels: {
 *     "job:*": { events: { progress: z.object({ percent: z.number() }), done: z.object({}) } },
 *   },
 *   rpc: { "math.add": { input: z.object({ a: z.number(), b: z.number() }), output: z.number() } },
 * });
 *
 * const client = createClient({ url, contract });
 * client.subscribe("job:7f3a", { onEvent: (e) => e.event === "progress" && e.data.percent });
 * const sum: number = await client.rpc("math.add", { a: 1, b: 2 });
 */
export function defineContract<const C extends Contract>(contract: C): C {
  return contract;
}

/** The channel names a pattern matches: `"job:*"` becomes `` `job:${string}` ``. */
export type PatternToChannel<P extends string> = P extends `${infer Head}*${infer Tail}`
  ? `${Head}${string}${PatternToChannel<Tail>}`
  : P;

type ChannelsOf<C extends Contract> = C extends { readonly channels: infer Channels }
  ? Channels
  : Readonly<Record<string, ChannelContract>>;

type MethodsOf<C extends Contract> = C extends { readonly rpc: infer Methods }
  ? Methods
  : Readonly<Record<string, RpcContract>>;

/** Every channel name the contract allows (`string` when untyped). */
export type ChannelName<C extends Contract> = {
  [P in keyof ChannelsOf<C> & string]: PatternToChannel<P>;
}[keyof ChannelsOf<C> & string];

/** The event schemas of the patterns that match channel `Ch`. */
type EventSchemasOf<C extends Contract, Ch extends string> = {
  [P in keyof ChannelsOf<C> & string]: Ch extends PatternToChannel<P>
    ? ChannelsOf<C>[P] extends { readonly events: infer Events }
      ? Events
      : never
    : never;
}[keyof ChannelsOf<C> & string];

/** The event names of channel `Ch`. */
export type EventName<C extends Contract, Ch extends string> =
  EventSchemasOf<C, Ch> extends infer Events
    ? Events extends unknown
      ? keyof Events & string
      : never
    : never;

type SchemaOf<C extends Contract, Ch extends string, E extends string> =
  EventSchemasOf<C, Ch> extends infer Events
    ? Events extends unknown
      ? E extends keyof Events
        ? Events[E]
        : never
      : never
    : never;

/** The data of event `E` on channel `Ch` as subscribers receive it (the schema's output). */
export type EventData<C extends Contract, Ch extends string, E extends string> =
  SchemaOf<C, Ch, E> extends infer S extends StandardSchemaV1
    ? StandardSchemaV1.InferOutput<S>
    : never;

/** The data a publisher passes for event `E` on channel `Ch` (the schema's input). */
export type EventInput<C extends Contract, Ch extends string, E extends string> =
  SchemaOf<C, Ch, E> extends infer S extends StandardSchemaV1
    ? StandardSchemaV1.InferInput<S>
    : never;

/** The events of channel `Ch` as handlers receive them: a union discriminated by `event`. */
export type ChannelEvent<C extends Contract, Ch extends string> = {
  [E in EventName<C, Ch>]: ReceivedEvent<E, EventData<C, Ch, E>>;
}[EventName<C, Ch>];

/** Every RPC method name the contract allows (`string` when untyped). */
export type RpcMethod<C extends Contract> = keyof MethodsOf<C> & string;

/** The input of RPC method `M` (`unknown` without an input schema). */
export type RpcInput<C extends Contract, M extends string> = M extends keyof MethodsOf<C>
  ? MethodsOf<C>[M] extends { readonly input: infer S extends StandardSchemaV1 }
    ? StandardSchemaV1.InferInput<S>
    : unknown
  : unknown;

/** The result of RPC method `M` (`unknown` without an output schema). */
export type RpcOutput<C extends Contract, M extends string> = M extends keyof MethodsOf<C>
  ? MethodsOf<C>[M] extends { readonly output: infer S extends StandardSchemaV1 }
    ? StandardSchemaV1.InferOutput<S>
    : unknown
  : unknown;

/** Arguments after the name: the data is optional when `undefined` is acceptable. */
export type DataArgs<D, O> = undefined extends D ? [data?: D, options?: O] : [data: D, options?: O];
