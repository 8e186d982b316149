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
import { createRedisBroker } from "@switchyard/redis";
import { createHub, type Hub } from "@switchyard/server";
import { brokerContract } from "@switchyard/server/testing";

/** The hub embedded in a Node server, on Redis. */
export function embedded(redisUrl: string): Hub {
  return createHub({ allowAnonymous: true, broker: createRedisBroker({ url: redisUrl }) });
}

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
