import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateDocument } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, resolveConfig, validateConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startServer } from "../src/serve.js";
import { onCleanup } from "./helpers.js";

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true });
});

async function configFile(content: string): Promise<{ path: string; directory: string }> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-state-config-"));
  directories.push(directory);
  const path = join(directory, "switchyard.yaml");
  await writeFile(path, content);
  return { path, directory };
}

const CONFIG = `
apiKey: state-key
port: 0
allowAnonymous: true
state:
  documents:
    settings:
      file: settings.json
      read: anyone
      keys:
        physics.damping: { type: number, minimum: 0, maximum: 1, default: 0.5 }
        physics.steps: integer
        view.theme: { type: enum, values: [light, dark], default: light }
        view.title: { type: string, maxLength: 20 }
        debug: boolean
      presets:
        calm: { physics.damping: 0.9 }
    project-*:
      allowUnknownKeys: true
      defaults: { owner: nobody }
`;

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the state section of the config file", () => {
  it("declares documents whose typed keys become schemas, files relative to the config", async () => {
    const { path, directory } = await configFile(CONFIG);
    const config = resolveConfig({ file: await loadConfigFile(path) });
    const settings = config.state?.documents?.settings;
    expect(settings?.file).toEqual({ path: join(directory, "settings.json") });
    const keys = settings?.keys ?? {};
    const check = async (key: string, value: unknown) => {
      const spec = keys[key] as { schema: { "~standard": { validate(v: unknown): unknown } } };
      const result = (await spec.schema["~standard"].validate(value)) as { issues?: unknown };
      return result.issues === undefined;
    };
    expect(await check("physics.damping", 0.4)).toBe(true);
    expect(await check("physics.damping", 3)).toBe(false);
    expect(await check("physics.steps", 2.5)).toBe(false);
    expect(await check("view.theme", "dark")).toBe(true);
    expect(await check("view.theme", "blue")).toBe(false);
    expect(await check("view.title", "x".repeat(21))).toBe(false);
    expect(await check("debug", "yes")).toBe(false);
    expect(keys["physics.damping"]).toMatchObject({ default: 0.5 });
    expect(config.state?.documents?.["project-*"]?.keys).toEqual({ owner: { default: "nobody" } });
  });

  it("names the field of a bad key type or a default that does not fit", () => {
    const issues = issuesOf(() =>
      validateConfig({
        state: {
          documents: {
            settings: {
              keys: {
                a: "float",
                b: { type: "number", maximum: 1, default: 2 },
                c: { type: "enum", values: [] },
              },
              read: "admins",
            },
          },
        },
      }),
    );
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "state.documents.settings.keys.a",
        "state.documents.settings.keys.c.values",
        "state.documents.settings.read",
      ]),
    );
    const strict = issuesOf(() =>
      validateConfig({
        state: { documents: { s: { keys: { b: { type: "number", maximum: 1, default: 2 } } } } },
      }),
    );
    expect(strict).toEqual([
      {
        path: "state.documents.s.keys.b.default",
        message: "the default does not match the key's type",
      },
    ]);
  });

  it("serves the declared documents: the HTTP API reads and writes them, the file keeps them", async () => {
    const { path, directory } = await configFile(CONFIG);
    const config = resolveConfig({ file: await loadConfigFile(path) });
    const handle = await startServer(config, { logger: createLogger("silent") });
    onCleanup(() => handle.close());
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${handle.url}${route}`, {
        method,
        headers: { authorization: "Bearer state-key", "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const document = (await (await call("GET", "/api/state/settings")).json()) as StateDocument;
    expect(document.entries["physics.damping"]?.value).toBe(0.5);
    const refused = await call("PATCH", "/api/state/settings", { set: { "physics.damping": 2 } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "state_invalid_value",
    );
    expect((await call("POST", "/api/state/settings/presets/calm")).status).toBe(200);
    expect((await call("GET", "/api/state/project-7")).status).toBe(200);
    await handle.close();
    const saved = JSON.parse(await readFile(join(directory, "settings.json"), "utf8"));
    expect(saved).toEqual({ "physics.damping": 0.9 });
  });
});
