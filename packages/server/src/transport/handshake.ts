/**
 * The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks the client's
 * upgrade request and writes the `101 Switching Protocols` answer. Extensions
 * (permessage-deflate and others) are never negotiated: their offers are ignored.
 */
import { createHash } from "node:crypto";
import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** The only protocol version of RFC 6455. */
const VERSION = "13";
/** The GUID the accept key is derived with (RFC 6455 §1.3). */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Base64 of 16 bytes: 22 characters and the `==` padding. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Why an upgrade request is not a WebSocket opening handshake we can answer. */
export interface HandshakeRefusal {
  /** HTTP status of the answer. */
  status: number;
  /** Plain-text body of the answer. */
  message: string;
  /** Extra header lines (each ending with CRLF). */
  headers: string;
}

/** True when the comma-separated `header` lists `token` (compared case-insensitively). */
function hasToken(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  for (const item of header.split(",")) if (item.trim().toLowerCase() === token) return true;
  return false;
}

/** Checks an upgrade request; null when it is a valid opening handshake. */
export function checkHandshake(request: IncomingMessage): HandshakeRefusal | null {
  const { headers } = request;
  if (request.method !== "GET") {
    return {
      status: 405,
      message: "The opening handshake must be a GET",
      headers: "Allow: GET\r\n",
    };
  }
  if (headers.upgrade?.toLowerCase() !== "websocket" || !hasToken(headers.connection, "upgrade")) {
    return { status: 400, message: "Expected Upgrade: websocket", headers: "" };
  }
  if (headers["sec-websocket-version"]?.trim() !== VERSION) {
    return {
      status: 426,
      message: "Unsupported WebSocket version",
      headers: `Sec-WebSocket-Version: ${VERSION}\r\n`,
    };
  }
  const key = headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key.trim())) {
    return { status: 400, message: "Missing or invalid Sec-WebSocket-Key", headers: "" };
  }
  return null;
}

/** Answers a request that is no opening handshake with a plain HTTP error. */
export function refuseHandshake(socket: Duplex, refusal: HandshakeRefusal): void {
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}\r\n` +
      `Connection: close\r\n${refusal.headers}Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(refusal.message)}\r\n\r\n${refusal.message}`,
  );
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
