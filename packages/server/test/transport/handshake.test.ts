/**
 * The builtin transport's opening handshake (RFC 6455 §4.2), driven by hand over TCP against
 * a hub on the default transport.
 */
import { describe, expect, it } from "vitest";
import { acceptKey } from "../../src/transport/handshake.js";
import { OPEN_POLICY, startHub } from "../helpers/fixtures.js";
import { RawSocket, SAMPLE_ACCEPT, SAMPLE_KEY, upgradeRequest } from "../helpers/raw-socket.js";

/** Sends an upgrade request with `headers` changed and resolves with the refusal. */
async function refused(headers: Record<string, string | undefined>, requestLine?: string) {
  const { port } = await startHub(OPEN_POLICY);
  const peer = await RawSocket.open(port, upgradeRequest(headers, requestLine));
  return peer.refusal();
}

describe("the opening handshake", () => {
  it("derives Sec-WebSocket-Accept from the key as RFC 6455 shows", () => {
    expect(acceptKey(SAMPLE_KEY)).toBe(SAMPLE_ACCEPT);
  });

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

  it("refuses other versions than 13 with 426 and Sec-WebSocket-Version: 13", async () => {
    for (const version of ["8", "14", undefined]) {
      const answer = await refused({ "Sec-WebSocket-Version": version });
      expect(answer.status).toBe(426);
      expect(answer.headers["sec-websocket-version"]).toBe("13");
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
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("Sec-WebSocket-Key");
    }
  });

  it("refuses an upgrade to another protocol with 400, and other methods than GET with 405", async () => {
    expect((await refused({ Upgrade: "h2c" })).status).toBe(400);
    const post = await refused({}, "POST /ws HTTP/1.1");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET");
  });

  it("refuses unknown subprotocols with the JSON error body", async () => {
    const answer = await refused({ "Sec-WebSocket-Protocol": "switchyard.v0.xml" });
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toBe("application/json");
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
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "origin_not_allowed",
        message: "Origin 'https://evil.example' is not allowed",
      },
    });
  });
});
