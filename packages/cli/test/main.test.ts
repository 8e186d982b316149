import { describe, expect, it } from "vitest";
import { serveFlags } from "../src/main.js";

describe("the flags of switchyard serve", () => {
  it("sets or lifts the per-address connection limit", () => {
    expect(serveFlags(["serve", "--max-connections-per-ip", "50"])).toEqual({
      limits: { maxConnectionsPerIp: 50 },
    });
    expect(serveFlags(["serve", "--max-connections-per-ip", "off"])).toEqual({
      limits: { maxConnectionsPerIp: null },
    });
    for (const bad of ["0", "-1", "1.5", "many"]) {
      expect(() => serveFlags(["serve", `--max-connections-per-ip=${bad}`])).toThrow(
        `--max-connections-per-ip must be a positive integer or 'off' (got '${bad}')`,
      );
    }
  });

  it("asks for the API key on /stats and /metrics with --require-api-key-for-stats", () => {
    expect(serveFlags(["serve"])).toEqual({});
    expect(serveFlags(["serve", "--require-api-key-for-stats"])).toEqual({
      requireApiKeyForStats: true,
    });
  });
});
