/**
 * The settings document without a browser: every preset passes every key's schema, each kind
 * of setting refuses what it should, and the file on disk follows the writes.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SwitchyardError } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { createSettingsHub } from "./server.js";
import { CATEGORIES, DEFAULTS, keysOf, PRESET_NAMES, PRESETS, SETTINGS } from "./settings.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start() {
  const dir = await mkdtemp(join(tmpdir(), "settings-sync-"));
  const file = join(dir, "settings.json");
  const hub = createSettingsHub({ file, debounce: 10 });
  await hub.whenStarted();
  cleanups.push(async () => {
    await hub.close({ timeout: 200 });
    await rm(dir, { recursive: true, force: true });
  });
  return { hub, file, settings: hub.state("settings") };
}

async function refusal(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (error) {
    if (error instanceof SwitchyardError) return error.code;
    throw error;
  }
  return "accepted";
}

describe("the settings document", () => {
  it("declares about 70 settings in categories, with every default valid", async () => {
    const { settings } = await start();
    expect(Object.keys(SETTINGS)).toHaveLength(72);
    expect(CATEGORIES.every((category) => keysOf(category.id).length >= 4)).toBe(true);
    const document = await settings.get();
    expect(document.version).toBe(0);
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expect(document.entries[key]?.value, key).toEqual(value);
    }
  });

  it("applies each quality preset as one write of every non-colour setting", async () => {
    const { settings } = await start();
    for (const name of PRESET_NAMES) {
      const before = (await settings.get()).version;
      const { version, changes } = await settings.preset(name);
      expect(version).toBe(before + 1);
      expect(changes).toHaveLength(68);
      expect(Object.keys(PRESETS[name])).toHaveLength(68);
      for (const [key, value] of Object.entries(PRESETS[name])) {
        expect(await settings.value(key), `${name} ${key}`).toEqual(value);
      }
    }
    expect(await settings.value("physics.iterations")).toBe(500);
  });

  it("refuses a value its key's schema does not accept, whatever the kind", async () => {
    const { settings } = await start();
    expect(await refusal(settings.set("physics.damping", 1.5))).toBe("state_invalid_value");
    expect(await refusal(settings.set("physics.iterations", 12.5))).toBe("state_invalid_value");
    expect(await refusal(settings.set("rendering.shadows", "yes"))).toBe("state_invalid_value");
    expect(await refusal(settings.set("rendering.antialiasing", "ssaa"))).toBe(
      "state_invalid_value",
    );
    expect(await refusal(settings.set("nodes.color", "blue"))).toBe("state_invalid_value");
    expect(await refusal(settings.set("physics.mass", 1))).toBe("state_unknown_key");
    expect(await refusal(settings.set("nodes.color", "#A0b1C2"))).toBe("accepted");
    expect((await settings.get()).version).toBe(1);
  });

  it("keeps the written settings in the file", async () => {
    const { settings, file } = await start();
    await settings.set("physics.damping", 0.5);
    await settings.set("labels.visible", false);
    await expect
      .poll(async () => JSON.parse(await readFile(file, "utf8").catch(() => "{}")), {
        timeout: 5000,
      })
      .toEqual({ "physics.damping": 0.5, "labels.visible": false });
  });
});
