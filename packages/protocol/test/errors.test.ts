import { describe, expect, it } from "vitest";
import { ERRORS, SwitchyardError } from "../src/index.js";

describe("SwitchyardError", () => {
  it("is an Error with the table's message unless given one", () => {
    const error = new SwitchyardError("forbidden");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SwitchyardError");
    expect(error.message).toBe(ERRORS.forbidden.message);
    expect(new SwitchyardError("forbidden", "Only owners").message).toBe("Only owners");
  });

  it("has the HTTP status of its code, and 500 for the client SDK's own codes", () => {
    expect(new SwitchyardError("not_found").status).toBe(404);
    expect(new SwitchyardError("rate_limited").status).toBe(429);
    expect(new SwitchyardError("request_timeout").status).toBe(500);
  });

  it("puts details on the wire only when there are some", () => {
    expect(new SwitchyardError("forbidden", "No").toPayload()).toStrictEqual({
      code: "forbidden",
      message: "No",
    });
    for (const details of [null, 0, "", { field: "data" }]) {
      expect(new SwitchyardError("invalid_data", "Bad", details).toPayload()).toStrictEqual({
        code: "invalid_data",
        message: "Bad",
        details,
      });
    }
  });

  it("is rebuilt from its wire shape as it was", () => {
    const payload = { code: "invalid_data", message: "Bad", details: { path: "data.a" } } as const;
    const error = SwitchyardError.fromPayload(payload);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect([error.code, error.message, error.details]).toEqual([
      "invalid_data",
      "Bad",
      payload.details,
    ]);
    expect(error.toPayload()).toStrictEqual(payload);
  });
});
