/**
 * The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks the client's
 * upgrade request and writes the `101 Switching Protocols` answer. Extensions
 * (permessage-deflate and others) are never negotiated: their offers are ignored.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SwitchyardError } from "@switchyard/protocol";

/** The only protocol version of RFC 6455. */
const VERSION = "13";
/** The GUID the accept key is derived with (RFC 6455 §1.3). */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Base64 of 16 bytes: 22 characters and the `==` padding. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 9110 §5.6.2), the syntax of a subprotocol name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Why an upgrade request is not a WebSocket opening handshake we can answer. */
export interface HandshakeRefusal {
  /** The error of the answer: its code gives the HTTP status and the JSON body. */
  error: SwitchyardError;
  /** Headers the answer must carry beside the error (`Allow`, `Sec-WebSocket-Version`). */
  headers: Readonly<Record<string, string>>;
}

/** True when the comma-separated `header` lists `token` (compared case-insensitively). */
function hasToken(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  for (const item of header.split(",")) if (item.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * True when `header` is a list of distinct tokens (RFC 6455 §4.1: `1#token`). `ws` refuses
 * other values, so the builtin transport does too: both transports answer alike.
 */
function isProtocolList(header: string): boolean {
  const seen = new Set<string>();
  for (const item of header.split(",")) {
    const protocol = item.trim();
    if (!TOKEN.test(protocol) || seen.has(protocol)) return false;
    seen.add(protocol);
  }
  return true;
}

function invalid(message: string): HandshakeRefusal {
  return { error: new SwitchyardError("invalid_upgrade", message), headers: {} };
}

/**
 * Checks an upgrade request; null when it is a valid opening handshake. Every refusal
 * carries a code of the error table, so a malformed handshake is answered like any other
 * refused upgrade: the HTTP status of the code and the JSON error body.
 */
export function checkHandshake(request: IncomingMessage): HandshakeRefusal | null {
  const { headers } = request;
  if (request.method !== "GET") {
    return {
      error: new SwitchyardError(
        "method_not_allowed",
        `The opening handshake must be a GET, not ${request.method ?? "no method"}`,
      ),
      headers: { Allow: "GET" },
    };
  }
  if (headers.upgrade?.toLowerCase() !== "websocket" || !hasToken(headers.connection, "upgrade")) {
    return invalid("Expected Upgrade: websocket and Connection: Upgrade");
  }
  if (headers["sec-websocket-version"]?.trim() !== VERSION) {
    return {
      error: new SwitchyardError(
        "unsupported_websocket_version",
        `Only WebSocket version ${VERSION} is supported; send Sec-WebSocket-Version: ${VERSION}`,
      ),
      headers: { "Sec-WebSocket-Version": VERSION },
    };
  }
  const key = headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key.trim())) {
    return invalid("Missing or invalid Sec-WebSocket-Key: expected base64 of 16 bytes");
  }
  const protocols = headers["sec-websocket-protocol"];
  if (protocols !== undefined && !isProtocolList(protocols)) {
    return invalid("Invalid Sec-WebSocket-Protocol: expected a list of distinct tokens");
  }
  return null;
}

/** The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key`. */
export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/**
 * The `101 Switching Protocols` answer to a checked request; `protocol` is the chosen
 * subprotocol, undefined when the client offered none.
 */
export function switchingProtocols(request: IncomingMessage, protocol: string | undefined): string {
  const key = (request.headers["sec-websocket-key"] ?? "").trim();
  return (
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
    (protocol === undefined ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
    "\r\n"
  );
}
