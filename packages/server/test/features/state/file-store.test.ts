import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateDocument, StateEventData } from "@switchyard/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { HubOptions, StateDocumentOptions } from "../../../src/index.js";
import { Signal } from "../../../src/testing/index.js";
import { onCleanup, type RawClient } from "../../helpers/fixtures.js";
import { client } from "../jobs/helpers.js";
import { startNode } from "./nodes.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "state-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function settings(file: StateDocumentOptions["file"]): HubOptions {
  return {
    allowAnonymous: true,
    state: {
      documents: {
        settings: {
          keys: {
            "physics.damping": { schema: z.number().min(0).max(1), default: 0.5 },
            "view.theme": { schema: z.enum(["light", "dark"]), default: "light" },
          },
          read: "anyone",
          write: { "": "anyone" },
          ...(file === undefined ? {} : { file }),
        },
      },
    },
  };
}

/** A hub whose document has loaded its file (and published that reload). */
async function start(file: StateDocumentOptions["file"]) {
  const node = await startNode(settings(file));
  onCleanup(() => node.close());
  await node.hub.state("settings").get();
  return node;
}

/** A subscribed client and a wait for its `reload` events. */
async function watcher(url: string) {
  const watching = await client(url, null);
  const reply = await watching.request({ type: "subscribe", channel: "state:settings" });
  return { client: watching, snapshot: (reply.result as { snapshot: StateDocument }).snapshot };
}

const reloads = (watching: RawClient) =>
  watching
    .events("state:settings")
    .filter((event) => event.event === "reload")
    .map((event) => event.data as StateEventData["reload"]);

/** An editor's save: a temporary file renamed over the document's. */
async function save(path: string, text: string): Promise<void> {
  await writeFile(`${path}.swp`, text);
  await rename(`${path}.swp`, path);
}

describe("the file store", () => {
  it("loads the file at start and sends an external edit to every client within a second", async () => {
    const path = join(dir, "settings.json");
    await writeFile(path, JSON.stringify({ "physics.damping": 0.3 }));
    const { url, hub } = await start({ path });
    const one = await watcher(url);
    const two = await watcher(url);
    expect(one.snapshot.entries["physics.damping"]).toMatchObject({
      value: 0.3,
      updatedBy: "file",
    });
    await save(path, JSON.stringify({ "physics.damping": 0.7, "view.theme": "dark" }));
    for (const { client: each } of [one, two]) {
      await each.next((frame) => frame.event === "reload", 0);
      expect(reloads(each)).toEqual([
        { reason: "file modified", document: await hub.state("settings").get() },
      ]);
    }
    const document = await hub.state("settings").get();
    expect(document.entries["physics.damping"]?.value).toBe(0.7);
    expect(document.entries["view.theme"]?.value).toBe("dark");
    // A plain write (no rename) is seen too.
    await writeFile(path, JSON.stringify({ "physics.damping": 0.1 }));
    await one.client.next((frame) => frame.event === "reload" && reloads(one.client).length === 2);
    expect(await hub.state("settings").value("view.theme")).toBe("light");
  }, 10_000);

  it("reaches clients within one second of the edit", async () => {
    const path = join(dir, "settings.json");
    await writeFile(path, "{}");
    const { url } = await start({ path });
    const one = await watcher(url);
    const signal = new Signal();
    one.client.ws.on("message", signal.poke);
    const editedAt = performance.now();
    await save(path, JSON.stringify({ "physics.damping": 0.9 }));
    await signal.until(() => reloads(one.client).length === 1, "the reload", 1000);
    expect(performance.now() - editedAt).toBeLessThan(1000);
  });

  it("reports a broken file, changes nothing, and applies the next good edit", async () => {
    const path = join(dir, "settings.json");
    await writeFile(path, JSON.stringify({ "physics.damping": 0.3 }));
    const { url, hub } = await start({ path });
    const one = await watcher(url);
    const errors: Error[] = [];
    const signal = new Signal();
    hub.state("settings").on("error", (error) => {
      errors.push(error);
      signal.poke();
    });
    await save(path, "{ not json");
    await signal.until(() => errors.length === 1, "the report of bad JSON");
    await save(path, JSON.stringify({ "physics.damping": 5 }));
    await signal.until(() => errors.length === 2, "the report of a schema failure");
    expect(errors[1]?.message).toMatch(/physics\.damping/);
    await save(path, JSON.stringify({ "physics.damping": 0.3, colour: "red" }));
    await signal.until(() => errors.length === 3, "the report of an unknown key");
    expect(hub.stats().features.state?.fileErrors).toBe(3);
    expect(reloads(one.client)).toEqual([]);
    expect(await hub.state("settings").value("physics.damping")).toBe(0.3);
    await save(path, JSON.stringify({ "physics.damping": 0.6 }));
    await one.client.next((frame) => frame.event === "reload");
    expect(await hub.state("settings").value("physics.damping")).toBe(0.6);
  }, 10_000);

  it("writes changes to the file, debounced and atomically, without reloading its own write", async () => {
    const path = join(dir, "settings.yaml");
    const node = await start({ path, debounce: 20, maxDelay: 100 });
    const one = await watcher(node.url);
    const writer = await client(node.url, null);
    for (const damping of [0.1, 0.2, 0.3]) {
      await writer.request({
        type: "rpc",
        method: "state.write",
        data: { name: "settings", set: { "physics.damping": damping } },
      });
    }
    await node.hub.state("settings").set("view.theme", "dark");
    await node.close();
    expect(await readFile(path, "utf8")).toBe("physics.damping: 0.3\nview.theme: dark\n");
    expect(reloads(one.client)).toEqual([]);
  });

  it("keeps a file that failed to load until a valid reload, then writes it", async () => {
    const path = join(dir, "settings.json");
    await writeFile(path, '{"physics.damping": "very"}');
    const node = await start({ path, debounce: 10 });
    expect(await node.hub.state("settings").value("physics.damping")).toBe(0.5);
    expect(node.hub.stats().features.state?.fileErrors).toBe(1);
    await node.hub.state("settings").set("physics.damping", 0.2);
    const again = await start({ path, debounce: 10 });
    await node.close();
    expect(await readFile(path, "utf8")).toBe('{"physics.damping": "very"}');
    await again.hub.state("settings").reload({ "physics.damping": 0.8 });
    await again.close();
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ "physics.damping": 0.8 });
  });

  it("reports a file whose directory is missing, and the document still works", async () => {
    const path = join(dir, "missing", "settings.json");
    const node = await start({ path, debounce: 0 });
    const errors: Error[] = [];
    const signal = new Signal();
    node.hub.state("settings").on("error", (error) => {
      errors.push(error);
      signal.poke();
    });
    await node.hub.state("settings").set("physics.damping", 0.25);
    expect(await node.hub.state("settings").value("physics.damping")).toBe(0.25);
    await signal.until(() => errors.some((error) => /written/.test(error.message)), "a report");
    expect(node.hub.stats().features.state?.fileErrors).toBeGreaterThanOrEqual(2);
  });
});
