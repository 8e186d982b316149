import { describe, expect, it } from "vitest";
import {
  CLOSE_RANGES,
  closeActionOf,
  closeCodeOf,
  ERROR_CODES,
  ERRORS,
  type ErrorCode,
  errorCodeOfClose,
  isErrorCode,
} from "../src/index.js";

/** The close codes of docs/protocol.md, "Closing": part of the wire, never to change. */
const CLOSE_CODES: Partial<Record<ErrorCode, number>> = {
  unauthorized: 4001,
  token_invalid: 4002,
  disconnected: 4003,
  backend_error: 4004,
  rate_limited: 4100,
  too_many_connections: 4101,
  connect_timeout: 4102,
  auth_unavailable: 4103,
  broker_unavailable: 4104,
  backend_unavailable: 4105,
  backend_timeout: 4106,
  backend_invalid_answer: 4107,
  server_shutting_down: 4200,
  slow_consumer: 4201,
  heartbeat_timeout: 4202,
  token_expired: 4203,
  broker_reset: 4204,
};

/** The codes the client SDK raises itself: no HTTP status, no close code. */
const CLIENT_ONLY = [
  "outbox_full",
  "request_timeout",
  "aborted",
  "connection_lost",
  "client_closed",
];

describe("closeActionOf", () => {
  it("reads the class of a close code from its range, at every edge", () => {
    const edges: [number, string][] = [
      [3999, "reconnect"],
      [4000, "terminal"],
      [4099, "terminal"],
      [4100, "backoff"],
      [4199, "backoff"],
      [4200, "reconnect"],
      [4299, "reconnect"],
      [4300, "terminal"],
      [4999, "terminal"],
      [5000, "reconnect"],
    ];
    for (const [code, action] of edges) expect(closeActionOf(code), String(code)).toBe(action);
  });

  it("reconnects after the standard codes and anything outside 4000–4999", () => {
    for (const code of [0, 1000, 1001, 1005, 1006, 1009, 1011, 1012, 1015, 2999, 3000, 65_535]) {
      expect(closeActionOf(code), String(code)).toBe("reconnect");
    }
  });

  it("has three adjacent ranges, 4000–4299, as CLOSE_RANGES says", () => {
    expect(CLOSE_RANGES).toEqual({
      terminal: [4000, 4099],
      backoff: [4100, 4199],
      reconnect: [4200, 4299],
    });
    for (const [action, [low, high]] of Object.entries(CLOSE_RANGES)) {
      expect([closeActionOf(low), closeActionOf(high)]).toEqual([action, action]);
    }
  });
});

describe("closeCodeOf", () => {
  it("gives each error that ends a connection the close code of the spec, and no other any", () => {
    const closing = Object.fromEntries(
      ERROR_CODES.flatMap((code) => {
        const close = closeCodeOf(code);
        return close === undefined ? [] : [[code, close]];
      }),
    );
    expect(closing).toEqual(CLOSE_CODES);
  });

  it("puts every close code in a class a client knows, outside the reserved 4300–4999", () => {
    for (const [code, close] of Object.entries(CLOSE_CODES)) {
      expect(close, code).toBeGreaterThanOrEqual(4000);
      expect(close, code).toBeLessThanOrEqual(4299);
    }
    expect(closeActionOf(CLOSE_CODES.disconnected ?? 0)).toBe("terminal");
    expect(closeActionOf(CLOSE_CODES.broker_unavailable ?? 0)).toBe("backoff");
    expect(closeActionOf(CLOSE_CODES.broker_reset ?? 0)).toBe("reconnect");
  });
});

describe("errorCodeOfClose", () => {
  it("is the inverse of closeCodeOf: one error code per close code", () => {
    for (const [code, close] of Object.entries(CLOSE_CODES)) {
      expect(errorCodeOfClose(close), String(close)).toBe(code);
    }
  });

  it("knows no code that is not Switchyard's", () => {
    for (const close of [4000, 4005, 4099, 4108, 4199, 4205, 4299, 4300, 1000, 1006, 0]) {
      expect(errorCodeOfClose(close), String(close)).toBeUndefined();
    }
  });
});

describe("the error table", () => {
  it("lists every code once, in snake_case", () => {
    expect(ERROR_CODES).toEqual(Object.keys(ERRORS));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });

  it("gives every code a message, and an HTTP status unless the client SDK raises it", () => {
    for (const code of ERROR_CODES) {
      const spec: { status?: number; message: string } = ERRORS[code];
      expect(spec.message.length, code).toBeGreaterThan(0);
      if (CLIENT_ONLY.includes(code)) {
        expect(spec.status, code).toBeUndefined();
        expect(closeCodeOf(code), code).toBeUndefined();
      } else {
        expect(spec.status, code).toBeGreaterThanOrEqual(200);
        expect(spec.status, code).toBeLessThan(600);
      }
    }
    expect(ERROR_CODES).toEqual(expect.arrayContaining(CLIENT_ONLY));
  });
});

describe("isErrorCode", () => {
  it("is true for every code of the table", () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code), code).toBe(true);
  });

  it("is false for anything else, the names every object has included", () => {
    for (const value of [
      "",
      "FORBIDDEN",
      "forbidden ",
      "toString",
      "constructor",
      "__proto__",
      "hasOwnProperty",
      1,
      null,
      undefined,
      { code: "forbidden" },
    ]) {
      expect(isErrorCode(value), String(value)).toBe(false);
    }
  });
});
