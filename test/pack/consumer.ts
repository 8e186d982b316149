/**
 * An application's use of every public entry point of the packages, type-checked by
 * `pack.test.ts` against the installed tarballs (strict, moduleResolution `bundler` and
 * `node16`). The `@ts-expect-error` lines prove the types are real: were a type `any`, the
 * line would compile, the directive would be unused, and the check would fail.
 */
import { resolveConfig, type ServerHandle, startServer } from "@switchyard/cli";
import { type Client, createClient, type ReceivedEvent } from "@switchyard/client";
import { msgpackCodec } from "@switchyard/client/msgpack";
import { type ErrorCode, jsonCodec, SwitchyardError } from "@switchyard/protocol";
import { createHooks, SwitchyardProvider, useConnection, useJob } from "@switchyard/react";
import { createRedisBroker } from "@switchyard/redis";
import {
  builtinTransport,
  createHub,
  type Feature,
  type Hub,
  jobsFeature,
} from "@switchyard/server";
import { checkRetention, DEDUP_WINDOW_MS } from "@switchyard/server/broker";
import { brokerContract } from "@switchyard/server/testing";
import { wsTransport } from "@switchyard/server/ws";
import { createElement } from "react";

/** The hub embedded in a Node server, on Redis. */
export function embedded(redisUrl: string): Hub {
  return createHub({ allowAnonymous: true, broker: createRedisBroker({ url: redisUrl }) });
}

/** A feature of the application's, on the public seam. */
export const uptime: Feature<{ since: number }> = {
  name: "uptime",
  install(host) {
    const since = Date.now();
    host.hub.rpc("uptime.get", () => ({ since }));
    host.stats(() => ({ seconds: Math.round((Date.now() - since) / 1000) }));
    return { since };
  },
};

/** Hubs on each transport, with a feature; jobs are already there. */
export function withFeature(): number {
  const hub = createHub({ transport: builtinTransport({ closeTimeout: 10_000 }) });
  const other = createHub({ transport: wsTransport() });
  void other.jobs.list({ userId: "ada" });
  return hub.use(uptime).since;
}

/** What a broker implementation imports. */
export const brokerKit: [number, typeof checkRetention] = [DEDUP_WINDOW_MS, checkRetention];
// @ts-expect-error: a feature's name is installed once, but its API type is checked always
export const wrongApi: string = createHub().use(jobsFeature()).list;

/** The standalone hub, started from code. */
export function standalone(): Promise<ServerHandle> {
  return startServer(resolveConfig({ flags: { port: 0, allowAnonymous: true } }));
}

/** A client in MessagePack, printing the news. */
export function reader(url: string): Client {
  const client = createClient({ url, codec: msgpackCodec });
  client.subscribe("news", {
    onEvent: ({ offset, data }: ReceivedEvent) => console.log(offset, data),
  });
  return client;
}

/** A frame in the JSON codec, and an error as the hub reports it. */
export const frame: string | Uint8Array = jsonCodec.encode({ type: "pong" });
export const refusal = new SwitchyardError("forbidden", "not yours");

/** A broker implementation's test file. */
export function brokerTests(redisUrl: string): void {
  brokerContract("redis", () => createRedisBroker({ url: redisUrl }));
}

// @ts-expect-error: `allowAnonymous` is a boolean
createHub({ allowAnonymous: "yes" });
// @ts-expect-error: error codes are a closed union
export const unknownCode: ErrorCode = "no_such_code";

/** The React bindings, without JSX: a provider around a component of the hooks. */
export function app(client: Client): ReturnType<typeof createElement> {
  function Status() {
    const { status } = useConnection();
    const { percent } = useJob("7f3a");
    return createElement("p", null, `${status} ${percent}%`);
  }
  return createElement(SwitchyardProvider, { client }, createElement(Status));
}

/** Hooks typed by a contract: a channel outside it does not compile. */
export const typedHooks = createHooks({ channels: { news: { events: {} } } });
// @ts-expect-error: `chat` is not a channel of the contract
export const notAChannel = () => typedHooks.useSubscription("chat");
