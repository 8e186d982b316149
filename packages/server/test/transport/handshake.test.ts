/**
 * The opening handshake (RFC 6455 §4.2), driven by hand over TCP against a hub on each
 * transport: both answer valid handshakes alike, and refuse malformed ones alike, with the
 * HTTP status of an error code and the JSON error body.
 */
import { ERRORS, type ErrorCode, type ErrorSpec } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { acceptKey } from "../../src/transport/handshake.js";
import { OPEN_POLICY, startHub, useTransport } from "../helpers/fixtures.js";
import { RawSocket, SAMPLE_ACCEPT, SAMPLE_KEY, upgradeRequest } from "../helpers/raw-socket.js";
import { TRANSPORTS } from "../helpers/transport.js";

/** Sends an upgrade request with `headers` changed and resolves with the refusal. */
async function refused(headers: Record<string, string | undefined>, requestLine?: string) {
  const { port } = await startHub(OPEN_POLICY);
  const peer = await RawSocket.open(port, upgradeRequest(headers, requestLine));
  return peer.refusal();
}

type Refusal = Awaited<ReturnType<typeof refused>>;

/** Asserts a refused upgrade: {@link expectAnswer}, and the connection closes. */
function expectRefusal(answer: Refusal, code: ErrorCode, headers: Record<string, string> = {}) {
  expectAnswer(answer, code, { connection: "close", ...headers });
}

/** Asserts an error answer: the status of `code`, the JSON body with `code`, and `headers`. */
function expectAnswer(answer: Refusal, code: ErrorCode, headers: Record<string, string> = {}) {
  expect(answer.status, code).toBe((ERRORS[code] as ErrorSpec).status);
  expect(answer.headers).toMatchObject({ "content-type": "application/json", ...headers });
  expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toBe("");
}

describe("the accept key", () => {
  it("derives Sec-WebSocket-Accept from the key as RFC 6455 shows", () => {
    expect(acceptKey(SAMPLE_KEY)).toBe(SAMPLE_ACCEPT);
  });
});

describe.each(TRANSPORTS)("the opening handshake on the %s transport", (transport) => {
  useTransport(transport);

  it("answers 101 with the accept key, and names no subprotocol when none was offered", async () => {
    const { port } = await startHub(OPEN_POLICY);
    const peer = await RawSocket.upgrade(port);
    expect(peer.status).toBe(101);
    expect(peer.headers).toEqual({
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": SAMPLE_ACCEPT,
    });
  });

  it("names the chosen subprotocol, and agrees to no extension", async () => {
    const { port } = await startHub(OPEN_POLICY);
    const peer = await RawSocket.upgrade(port, {
      "Sec-WebSocket-Protocol": "graphql-ws, switchyard.v1.msgpack",
      "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    });
    expect(peer.headers["sec-websocket-protocol"]).toBe("switchyard.v1.msgpack");
    expect(peer.headers["sec-websocket-extensions"]).toBeUndefined();
  });

  it("accepts header values in any case", async () => {
    const { port } = await startHub(OPEN_POLICY);
    const peer = await RawSocket.upgrade(port, {
      Upgrade: "WebSocket",
      Connection: "keep-alive, UPGRADE",
    });
    expect(peer.status).toBe(101);
  });

  it("refuses other methods than GET with 405 method_not_allowed and Allow: GET", async () => {
    for (const method of ["POST", "PUT"]) {
      const answer = await refused({}, `${method} /ws HTTP/1.1`);
      expectRefusal(answer, "method_not_allowed", { allow: "GET" });
    }
  });

  it("refuses a GET of its path that asks for no upgrade with 400 invalid_upgrade", async () => {
    // Node hands these to the request handler, not to the upgrade event.
    const { port } = await startHub(OPEN_POLICY);
    const cases = [{ Connection: "keep-alive" }, { Connection: undefined }, { Upgrade: undefined }];
    for (const headers of cases) {
      const peer = await RawSocket.open(port, upgradeRequest(headers));
      const answer = await peer.answer();
      expectAnswer(answer, "invalid_upgrade");
      expect(answer.body).toContain("Upgrade");
    }
  });

  it("refuses another method on its path without an upgrade with 405 and Allow: GET", async () => {
    const { port } = await startHub(OPEN_POLICY);
    for (const method of ["POST", "HEAD", "DELETE"]) {
      const request = upgradeRequest({ Upgrade: undefined, Connection: "keep-alive" });
      const peer = await RawSocket.open(port, request.replace("GET", method));
      const answer = await peer.answer(method !== "HEAD");
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe("GET");
      if (method !== "HEAD") expectAnswer(answer, "method_not_allowed", { allow: "GET" });
    }
  });

  it("leaves plain requests for other paths to the server's own handler", async () => {
    const { port } = await startHub(OPEN_POLICY);
    const request = upgradeRequest({ Upgrade: undefined, Connection: "keep-alive" });
    const peer = await RawSocket.open(port, request.replace("/ws", "/app"));
    expect((await peer.answer()).status).toBe(404);
  });

  it("refuses an upgrade to another protocol with 400 invalid_upgrade", async () => {
    expectRefusal(await refused({ Upgrade: "h2c" }), "invalid_upgrade");
  });

  it("refuses other versions than 13 with 426 and Sec-WebSocket-Version: 13", async () => {
    // 8 is the draft version `ws` itself would accept.
    for (const version of ["8", "14", "", undefined]) {
      const answer = await refused({ "Sec-WebSocket-Version": version });
      expectRefusal(answer, "unsupported_websocket_version", { "sec-websocket-version": "13" });
    }
  });

  it("refuses a missing key, or one that is not base64 of 16 bytes, with 400", async () => {
    const keys = [
      undefined,
      "",
      Buffer.alloc(15).toString("base64"),
      Buffer.alloc(17).toString("base64"),
      "not base64 at all, no!!",
    ];
    for (const key of keys) {
      const answer = await refused({ "Sec-WebSocket-Key": key });
      expectRefusal(answer, "invalid_upgrade");
      expect(answer.body).toContain("Sec-WebSocket-Key");
    }
  });

  it("refuses a Sec-WebSocket-Protocol that is not a list of distinct tokens with 400", async () => {
    const headers = [
      "",
      "switchyard.v1.json, switchyard.v1.json",
      "switchyard.v1.json,,graphql-ws",
      "switchyard.v1.json;q=1",
      "switchyard v1",
    ];
    for (const header of headers) {
      const answer = await refused({ "Sec-WebSocket-Protocol": header });
      expectRefusal(answer, "invalid_upgrade");
      expect(answer.body).toContain("Sec-WebSocket-Protocol");
    }
  });

  it("checks the handshake before the hub's own policy", async () => {
    const { port } = await startHub({ ...OPEN_POLICY, allowedOrigins: ["https://app.example"] });
    const request = upgradeRequest({ Origin: "https://evil.example" }, "POST /ws HTTP/1.1");
    const peer = await RawSocket.open(port, request);
    expectRefusal(await peer.refusal(), "method_not_allowed", { allow: "GET" });
  });

  it("refuses unknown subprotocols with the JSON error body", async () => {
    const answer = await refused({ "Sec-WebSocket-Protocol": "switchyard.v0.xml" });
    expectRefusal(answer, "unsupported_protocol");
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "unsupported_protocol",
        message: "Offer one of the subprotocols switchyard.v1.json, switchyard.v1.msgpack",
      },
    });
  });

  it("refuses upgrades the hub does not allow with the JSON error body", async () => {
    const { port } = await startHub({ ...OPEN_POLICY, allowedOrigins: ["https://app.example"] });
    const peer = await RawSocket.open(port, upgradeRequest({ Origin: "https://evil.example" }));
    const answer = await peer.refusal();
    expectRefusal(answer, "origin_not_allowed");
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "origin_not_allowed",
        message: "Origin 'https://evil.example' is not allowed",
      },
    });
  });
});
