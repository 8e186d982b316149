import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type Codec, codecForSubprotocol, jsonCodec, SwitchyardError } from "@switchyard/protocol";
import { checkHandshake } from "./handshake.js";
import type { TransportHost } from "./socket.js";

/** Picks our codec from the offered subprotocols; none offered means JSON. */
function chooseCodec(header: string | undefined): Codec | undefined {
  if (!header) return jsonCodec;
  for (const offered of header.split(",")) {
    const codec = codecForSubprotocol(offered.trim());
    if (codec) return codec;
  }
  return undefined;
}

/**
 * Answers a refused upgrade with the HTTP status of the error's code and the JSON error body;
 * `headers` are added to the answer (`Allow` of a 405, `Sec-WebSocket-Version` of a 426).
 */
export function refuse(
  socket: Duplex,
  error: SwitchyardError,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = JSON.stringify({ error: error.toPayload() });
  let extra = "";
  for (const [name, value] of Object.entries(headers)) extra += `${name}: ${value}\r\n`;
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\n` +
      `Connection: close\r\n${extra}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The hub's own checks of an upgrade, the same for every transport: the opening handshake
 * itself (method, headers, version, key), then `check` (origin, draining) and the
 * subprotocol. Returns the codec, or undefined after refusing the upgrade.
 */
export function admit(
  host: TransportHost,
  request: IncomingMessage,
  socket: Duplex,
): Codec | undefined {
  // Checked here, not left to `ws`, so that both transports answer a malformed handshake
  // alike: with a code of the error table and the JSON body.
  const malformed = checkHandshake(request);
  if (malformed) {
    refuse(socket, malformed.error, malformed.headers);
    return undefined;
  }
  const refused = host.check(request);
  if (refused) {
    refuse(socket, refused);
    return undefined;
  }
  const codec = chooseCodec(request.headers["sec-websocket-protocol"]);
  if (!codec) {
    refuse(
      socket,
      new SwitchyardError(
        "unsupported_protocol",
        "Offer one of the subprotocols switchyard.v1.json, switchyard.v1.msgpack",
      ),
    );
  }
  return codec;
}
