/**
 * MessagePack frames for `@switchyard/client` (subprotocol `switchyard.v1.msgpack`): binary
 * data and large numeric arrays travel compactly. A separate entry point so that JSON-only
 * applications do not bundle the MessagePack encoder.
 *
 * @example
 * import { createClient } from "@switchyard/client";
 * import { msgpackCodec } from "@switchyard/client/msgpack";
 *
 * const client = createClient({ url: "wss://hub.example.com/ws", codec: msgpackCodec });
 */
import { msgpackCodec as protocolCodec } from "@switchyard/protocol";
import type { ClientCodec } from "./codec.js";

/** The MessagePack codec of the Switchyard protocol. */
export const msgpackCodec: ClientCodec = protocolCodec;
