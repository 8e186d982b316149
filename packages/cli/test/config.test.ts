import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  defaultNamespaceFor,
  loadConfigFile,
  resolveConfig,
  validateConfig,
} from "../src/config.js";

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true });
});

async function file(name: string, content: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-config-"));
  directories.push(directory);
  const path = join(directory, name);
  await writeFile(path, content);
  return path;
}

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

async function asyncIssuesOf(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof ConfigError) return error;
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

const YAML_CONFIG = `
port: 8080
host: 0.0.0.0
apiKey: from-file
auth:
  secret: a-secret-of-some-length
  issuer: https://id.example
allowedOrigins: [https://app.example]
limits: { maxConnections: 500, rate: 50 }
heartbeat: { interval: 20000 }
namespaces:
  job: { subscribe: token, publish: nobody, history: { size: 500 }, conflate: true }
  chat: { subscribe: authenticated, history: false }
defaultNamespace: null
logLevel: debug
transport: ws
`;

describe("validateConfig", () => {
  it("accepts a full config", () => {
    const config = validateConfig({
      port: 0,
      namespaces: { job: { subscribe: "anyone", history: { ttl: 1000 } } },
      defaultNamespace: { subscribe: "nobody" },
    });
    expect(config.namespaces?.job?.history).toEqual({ ttl: 1000 });
  });

  it("turns presence on for namespaces, with their grace and cap, and checks them", () => {
    const config = resolveConfig({
      file: { presence: { namespaces: { room: true, doc: { grace: 0, cap: 50 } }, ttl: 20_000 } },
    });
    expect(config.presence).toEqual({
      namespaces: { room: true, doc: { grace: 0, cap: 50 } },
      ttl: 20_000,
    });
    const issues = issuesOf(() =>
      validateConfig({ presence: { namespaces: { room: { grace: -1, info: "x" } }, ttl: 0 } }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      "presence.namespaces.room.grace",
      "presence.namespaces.room.info",
      "presence.ttl",
    ]);
  });

  it("names the path of every bad field", () => {
    const issues = issuesOf(() =>
      validateConfig({
        port: 70_000,
        namespaces: { job: { subscribe: "everyone", history: { size: -1 } } },
        limits: { rate: "fast" },
      }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      "limits.rate",
      "namespaces.job.history.size",
      "namespaces.job.subscribe",
      "port",
    ]);
    const subscribe = issues.find((issue) => issue.path === "namespaces.job.subscribe");
    expect(subscribe?.message).toContain("anyone");
  });

  it("rejects unknown and misspelt fields by name", () => {
    const issues = issuesOf(() =>
      validateConfig({ prot: 80, namespaces: { a: { subscirbe: 1 } } }),
    );
    expect(issues).toHaveLength(2);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "prot", message: "unknown field" },
        { path: "namespaces.a.subscirbe", message: "unknown field" },
      ]),
    );
  });

  it("accepts the transports and names the field of any other", () => {
    expect(validateConfig({ transport: "builtin" }).transport).toBe("builtin");
    expect(validateConfig({ transport: "ws" }).transport).toBe("ws");
    const issues = issuesOf(() => validateConfig({ transport: "uws" }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("transport");
    expect(issues[0]?.message).toContain('"builtin"|"ws"');
  });

  it("accepts the backend proxies and names a bad hook field", () => {
    const proxy = {
      connect: { url: "http://127.0.0.1:8000/connect", cookies: ["session"], timeout: 500 },
      refresh: { url: "http://127.0.0.1:8000/refresh" },
      subscribe: { url: "http://127.0.0.1:8000/subscribe", namespaces: ["sim"] },
      rpc: { url: "http://127.0.0.1:8000/rpc", methods: "sim.*" },
      concurrency: 8,
      secret: "a-secret-of-16-characters",
    };
    expect(validateConfig({ proxy }).proxy).toEqual(proxy);
    const perNamespace = {
      subscribe: [
        { url: "http://rooms:8000/subscribe", namespaces: ["room"] },
        { url: "http://sims:8000/subscribe", namespaces: ["sim"], timeout: 300 },
      ],
    };
    expect(validateConfig({ proxy: perNamespace }).proxy).toEqual(perNamespace);
    expect(resolveConfig({ file: { proxy } }).proxy).toEqual(proxy);
    expect(
      issuesOf(() =>
        validateConfig({
          proxy: {
            connect: { url: "ftp://x", cookie: ["s"] },
            rpc: { url: "http://x/rpc" },
            secret: "short",
          },
        }),
      ).map((issue) => issue.path),
    ).toEqual(["proxy.connect.url", "proxy.connect.cookie", "proxy.rpc.methods", "proxy.secret"]);
    expect(issuesOf(() => validateConfig({ proxy: { refresh: { url: "http://x/r" } } }))).toEqual([
      {
        path: "proxy",
        message: "a refresh hook needs a connect hook (it extends proxied connects)",
      },
    ]);
  });

  it("needs exactly one key source in auth", () => {
    const both = issuesOf(() =>
      validateConfig({ auth: { secret: "s", jwksUrl: "https://x/jwks" } }),
    );
    expect(both[0]).toMatchObject({
      path: "auth",
      message: expect.stringContaining("exactly one"),
    });
    const url = issuesOf(() => validateConfig({ auth: { jwksUrl: "not a url" } }));
    expect(url[0]?.path).toBe("auth.jwksUrl");
  });
});

describe("loadConfigFile", () => {
  it("reads YAML", async () => {
    const config = await loadConfigFile(await file("switchyard.yaml", YAML_CONFIG));
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      auth: { secret: "a-secret-of-some-length" },
      namespaces: { job: { subscribe: "token", conflate: true }, chat: { history: false } },
      defaultNamespace: null,
      transport: "ws",
    });
  });

  it("reads the links of a YAML file, and names a bad one with the file", async () => {
    const path = await file(
      "links.yaml",
      "links:\n  - { label: Example apps, url: 'http://127.0.0.1:7073/' }\n",
    );
    expect((await loadConfigFile(path)).links).toEqual([
      { label: "Example apps", url: "http://127.0.0.1:7073/" },
    ]);
    const bad = await file("bad-links.yaml", "links:\n  - label: Apps\n    url: apps.example\n");
    const error = await asyncIssuesOf(() => loadConfigFile(bad));
    expect(error.message).toContain(bad);
    expect(error.message).toContain("links.0.url: must be an absolute http:// or https:// URL");
  });

  it("reads JSON", async () => {
    const path = await file(
      "switchyard.json",
      JSON.stringify({ port: 9000, allowAnonymous: true }),
    );
    expect(await loadConfigFile(path)).toEqual({ port: 9000, allowAnonymous: true });
  });

  it("reports a YAML syntax error with its place", async () => {
    const path = await file("bad.yaml", "port: 8080\nnamespaces:\n  job: { subscribe: anyone\n");
    const error = await asyncIssuesOf(() => loadConfigFile(path));
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/cannot parse/);
    expect(error.message).toMatch(/line \d+/);
  });

  it("names a bad field of a YAML file", async () => {
    const path = await file("bad-field.yml", "namespaces:\n  job:\n    publish: sometimes\n");
    const error = await asyncIssuesOf(() => loadConfigFile(path));
    expect(error.issues[0]?.path).toBe("namespaces.job.publish");
    expect(error.message).toContain("namespaces.job.publish");
  });

  it("reports a missing file", async () => {
    const error = await asyncIssuesOf(() => loadConfigFile(join(tmpdir(), "no-such-file.yaml")));
    expect(error.message).toMatch(/cannot read/);
  });
});

describe("resolveConfig", () => {
  it("fills in the documented defaults and generates an API key", () => {
    const a = resolveConfig();
    const b = resolveConfig();
    expect(a).toMatchObject({
      port: 7070,
      host: "127.0.0.1",
      allowAnonymous: false,
      apiKeyGenerated: true,
      maxBodyBytes: 1_048_576,
      logLevel: "info",
      defaultNamespace: {
        subscribe: "authenticated",
        publish: "authenticated",
        history: { size: 1000, ttl: 120_000 },
      },
    });
    expect(a.apiKey.length).toBeGreaterThanOrEqual(32);
    expect(a.apiKey).not.toBe(b.apiKey);
  });

  it("lets anyone subscribe by default with allowAnonymous", () => {
    expect(resolveConfig({ flags: { allowAnonymous: true } }).defaultNamespace).toEqual(
      defaultNamespaceFor(true),
    );
    expect(defaultNamespaceFor(true).subscribe).toBe("anyone");
  });

  it("keeps a config's defaultNamespace, null included", () => {
    const config = resolveConfig({ file: { defaultNamespace: null, allowAnonymous: true } });
    expect(config.defaultNamespace).toBeNull();
  });

  it("lets flags override the environment and the environment override the file", () => {
    const file = { port: 1111, apiKey: "file-key", host: "0.0.0.0" };
    const env = { SWITCHYARD_API_KEY: "env-key" };
    expect(resolveConfig({ file, env })).toMatchObject({
      port: 1111,
      apiKey: "env-key",
      apiKeyGenerated: false,
      host: "0.0.0.0",
    });
    expect(resolveConfig({ file, env, flags: { apiKey: "flag-key", port: 0 } })).toMatchObject({
      port: 0,
      apiKey: "flag-key",
    });
  });

  it("leaves the transport to the hub unless one is given; flags override the file", () => {
    expect(resolveConfig()).not.toHaveProperty("transport");
    expect(resolveConfig({ file: { transport: "ws" } }).transport).toBe("ws");
    const both = resolveConfig({ file: { transport: "ws" }, flags: { transport: "builtin" } });
    expect(both.transport).toBe("builtin");
  });

  it("limits connections per address by default; a file or a flag changes or lifts it", () => {
    expect(DEFAULT_MAX_CONNECTIONS_PER_IP).toBe(1000);
    expect(resolveConfig().limits).toEqual({ maxConnectionsPerIp: 1000 });
    const file = { limits: { maxConnections: 5000, maxConnectionsPerIp: 20 } };
    expect(resolveConfig({ file }).limits).toEqual(file.limits);
    // A flag changes its own limit and keeps the file's others.
    const flags = { limits: { maxConnectionsPerIp: 30 } };
    expect(resolveConfig({ file, flags }).limits).toEqual({
      maxConnections: 5000,
      maxConnectionsPerIp: 30,
    });
    // null lifts the limit (a hub behind a proxy sees every client at one address).
    const lifted = resolveConfig({ file: { limits: { maxConnectionsPerIp: null } } });
    expect(lifted.limits.maxConnectionsPerIp).toBe(Number.POSITIVE_INFINITY);
    expect(issuesOf(() => validateConfig({ limits: { maxConnectionsPerIp: 0 } }))[0]?.path).toBe(
      "limits.maxConnectionsPerIp",
    );
  });

  it("leaves /stats and /metrics open unless the config asks for the API key", () => {
    expect(resolveConfig().requireApiKeyForStats).toBe(false);
    expect(resolveConfig({ file: { requireApiKeyForStats: true } }).requireApiKeyForStats).toBe(
      true,
    );
  });

  it("has no links unless given; --link adds to the file's links and replaces one of its label", () => {
    expect(resolveConfig().links).toEqual([]);
    const file = {
      links: [
        { label: "Example apps", url: "http://127.0.0.1:7073/" },
        { label: "Grafana", url: "https://grafana.example/d/hub" },
      ],
    };
    expect(resolveConfig({ file }).links).toEqual(file.links);
    const flags = {
      links: [
        { label: "Docs", url: "https://docs.example/" },
        { label: "Example apps", url: "http://127.0.0.1:9000/" },
      ],
    };
    expect(resolveConfig({ file, flags }).links).toEqual([
      { label: "Example apps", url: "http://127.0.0.1:9000/" },
      { label: "Grafana", url: "https://grafana.example/d/hub" },
      { label: "Docs", url: "https://docs.example/" },
    ]);
  });

  it("names a bad link of a config: its label, its URL, a second link of one label", () => {
    const issues = issuesOf(() =>
      validateConfig({
        links: [
          { label: "", url: "http://a.example/" },
          { label: "x".repeat(41), url: "https://b.example/" },
          { label: "Apps", url: "/apps/" },
          { label: "Mail", url: "mailto:ops@example.com" },
          { label: "Apps", url: "http://c.example/" },
          { label: "Extra", url: "http://d.example/", target: "_self" },
          { url: "http://e.example/" },
        ],
      }),
    );
    expect(issues).toEqual([
      { path: "links.0.label", message: "must be 1–40 characters" },
      { path: "links.1.label", message: "must be 1–40 characters" },
      { path: "links.2.url", message: "must be an absolute http:// or https:// URL" },
      { path: "links.3.url", message: "must be an absolute http:// or https:// URL" },
      { path: "links.5.target", message: "unknown field" },
      { path: "links.6.label", message: expect.any(String) },
    ]);
    // The duplicate shows once the links themselves are right.
    expect(
      issuesOf(() =>
        validateConfig({
          links: [
            { label: "Apps", url: "http://a.example/" },
            { label: "Apps", url: "http://b.example/" },
          ],
        }),
      ),
    ).toEqual([{ path: "links.1.label", message: "another link is labelled 'Apps'" }]);
    expect(issuesOf(() => validateConfig({ links: { label: "Apps" } }))[0]?.path).toBe("links");
  });

  it("names a bad flag value", () => {
    const issues = issuesOf(() => resolveConfig({ flags: { port: -5 } }));
    expect(issues[0]?.path).toBe("port");
  });
});
