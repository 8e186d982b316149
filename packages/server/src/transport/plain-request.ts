import type { IncomingMessage, ServerResponse } from "node:http";
import { SwitchyardError } from "@switchyard/protocol";
import { checkHandshake, type HandshakeRefusal } from "./handshake.js";

/**
 * Answers a plain HTTP request for the hub's WebSocket path: one that Node handed to the
 * server's request handler instead of its `upgrade` event, because it lacks `Upgrade` or
 * `Connection: upgrade`. It is refused like a malformed opening handshake, by the same checks
 * in the same order (protocol.md, "Refused upgrades"): 405 `method_not_allowed` with
 * `Allow: GET` for another method, else 400 `invalid_upgrade`. The connection stays usable
 * (keep-alive), as for any HTTP answer.
 */
export function refusePlainRequest(request: IncomingMessage, response: ServerResponse): void {
  const refusal: HandshakeRefusal = checkHandshake(request) ?? {
    // Only an upgrade Node would not hand to the `upgrade` event gets here (HTTP/1.0).
    error: new SwitchyardError("invalid_upgrade", "The opening handshake must be HTTP/1.1"),
    headers: {},
  };
  const body = JSON.stringify({ error: refusal.error.toPayload() });
  response.writeHead(refusal.error.status, {
    ...refusal.headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  // Node leaves the body out of the answer to a HEAD.
  response.end(body);
}
