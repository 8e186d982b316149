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

  it("collects repeated --link <label>=<url>, a later one replacing an earlier of its label", () => {
    expect(
      serveFlags([
        "serve",
        "--link",
        "Example apps=http://127.0.0.1:7073/",
        "--link=Docs=https://docs.example/start?lang=en&a=b",
        "--link",
        "Example apps=http://127.0.0.1:8080/apps/",
      ]),
    ).toEqual({
      links: [
        { label: "Example apps", url: "http://127.0.0.1:8080/apps/" },
        // Only the first '=' separates: the URL keeps its own.
        { label: "Docs", url: "https://docs.example/start?lang=en&a=b" },
      ],
    });
    const forty = "x".repeat(40);
    expect(serveFlags(["serve", "--link", `${forty}=https://a.example`]).links).toEqual([
      { label: forty, url: "https://a.example" },
    ]);
  });

  it("refuses a --link without a label, with a long label or without an absolute http(s) URL", () => {
    const cases: [string, string][] = [
      ["http://127.0.0.1:7073/", "--link must be <label>=<url> (got 'http://127.0.0.1:7073/')"],
      ["Apps", "--link must be <label>=<url> (got 'Apps')"],
      ["=http://a.example", "--link label must be 1–40 characters (got '=http://a.example')"],
      ["  =http://a.example", "--link label must be 1–40 characters"],
      [`${"x".repeat(41)}=http://a.example`, "--link label must be 1–40 characters"],
      ["Apps=", "--link url must be an absolute http:// or https:// URL (got 'Apps=')"],
      ["Apps=/apps/", "--link url must be an absolute http:// or https:// URL"],
      ["Apps=127.0.0.1:7073", "--link url must be an absolute http:// or https:// URL"],
      ["Apps=javascript:alert(1)", "--link url must be an absolute http:// or https:// URL"],
      ["Apps=ftp://files.example/", "--link url must be an absolute http:// or https:// URL"],
    ];
    for (const [value, message] of cases) {
      expect(() => serveFlags(["serve", "--link", value]), value).toThrow(message);
    }
  });
});
