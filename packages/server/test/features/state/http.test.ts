import type { StateDocument, StateWriteResult } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApi } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { client } from "../jobs/helpers.js";

const KEY = "state-http-key";

async function api() {
  const { hub, url } = await startHub({
    allowAnonymous: true,
    state: {
      documents: {
        settings: {
          keys: {
            "physics.damping": { schema: z.number().min(0).max(1), default: 0.5 },
            "physics.gravity": z.number(),
          },
          presets: { calm: { "physics.damping": 0.9, "physics.gravity": 1 } },
          read: "anyone",
          write: { "": "nobody" },
        },
      },
    },
  });
  const http = createHttpApi(hub, { apiKey: KEY });
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await http.request(path, {
      method,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return { hub, url, call };
}

describe("the state routes of the HTTP API", () => {
  it("read, write, reload and apply presets as the server, whatever the write rules", async () => {
    const { hub, url, call } = await api();
    const watcher = await client(url, null);
    await watcher.request({ type: "subscribe", channel: "state:settings" });
    const got = await call<StateDocument>("GET", "/api/state/settings");
    expect(got).toEqual({ status: 200, body: await hub.state("settings").get() });
    expect(got.body.entries["physics.damping"]?.value).toBe(0.5);

    const patched = await call<StateWriteResult>("PATCH", "/api/state/settings", {
      set: { "physics.gravity": 9.8 },
      by: "backend",
      ifVersion: 0,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      version: 1,
      changes: [
        expect.objectContaining({ key: "physics.gravity", value: 9.8, updatedBy: "backend" }),
      ],
    });

    const preset = await call<StateWriteResult>("POST", "/api/state/settings/presets/calm");
    expect(preset.body.version).toBe(2);
    expect(preset.body.changes.map((change) => change.updatedBy)).toEqual(["server", "server"]);

    const reloaded = await call<StateWriteResult>("PUT", "/api/state/settings", {
      values: { "physics.damping": 0.2 },
      reason: "deploy",
    });
    expect(reloaded.body.version).toBe(3);
    await watcher.next((frame) => frame.event === "reload");
    const reload = watcher.events("state:settings").find((event) => event.event === "reload");
    expect(reload?.data).toEqual({ reason: "deploy", document: await hub.state("settings").get() });
    expect((await hub.state("settings").get()).entries["physics.gravity"]).toBeUndefined();

    // The same write from a client is refused: the document's write rule is "nobody".
    const refused = await watcher.request({
      type: "rpc",
      method: "state.write",
      data: { name: "settings", set: { "physics.gravity": 1 } },
    });
    expect(refused.error).toMatchObject({ code: "forbidden", details: { key: "physics.gravity" } });
  });

  it("is described in the OpenAPI document", async () => {
    const { call } = await api();
    const { body } = await call<{ paths: Record<string, Record<string, unknown>> }>(
      "GET",
      "/api/openapi.json",
    );
    expect(Object.keys(body.paths["/api/state/{name}"] ?? {}).sort()).toEqual([
      "get",
      "patch",
      "put",
    ]);
    expect(Object.keys(body.paths["/api/state/{name}/presets/{preset}"] ?? {})).toEqual(["post"]);
  });
});
