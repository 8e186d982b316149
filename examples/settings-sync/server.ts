/**
 * The settings service's hub: one synced state document, `settings`, of every setting in
 * `settings.ts`, each key validated by its own zod schema, with the three quality presets, kept
 * in a JSON file on disk (the hub's file store: written after changes, reloaded for every client
 * when something else edits it). Browsers follow and write it over the WebSocket; any other
 * backend (the seed's Rust service, a script) over the hub's HTTP API:
 *
 * | route                                       | what it does                          |
 * | ------------------------------------------- | ------------------------------------- |
 * | `GET /api/state/settings`                   | the document                          |
 * | `PATCH /api/state/settings`                 | `{set?, delete?, ifVersion?, by?}`    |
 * | `PUT /api/state/settings`                   | replace every value (a reload)        |
 * | `POST /api/state/settings/presets/{preset}` | apply `low`, `medium` or `high`       |
 *
 * A file that fails to load or validate changes nothing; the hub says why on the channel
 * `settings-file` (event `file_error`), and the page shows it.
 */
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createHttpApi, createHub, type Hub, type HubOptions } from "@switchyard/server";
import { z } from "zod";
import type { AppHubFactory } from "../web/app-hub.js";
import { DOCUMENT, PRESETS, SETTINGS, type SettingSpec } from "./settings.js";

/** Where file failures are announced (`file_error` `{message}`). */
export const FILE_CHANNEL = "settings-file";
/** The HTTP API's key when neither the options nor `SETTINGS_SYNC_API_KEY` give one. */
export const DEV_API_KEY = "settings-sync-dev-key";

/** The schema of one setting, from its spec. */
export function schemaOf(spec: SettingSpec): z.ZodType {
  switch (spec.kind) {
    case "number": {
      const base = spec.integer ? z.number().int() : z.number();
      return base.min(spec.min).max(spec.max);
    }
    case "boolean":
      return z.boolean();
    case "choice":
      return z.enum(spec.options as [string, ...string[]]);
    case "color":
      return z.string().regex(/^#[0-9a-f]{6}$/i, "a colour as #rrggbb");
  }
}

/** Options of {@link createSettingsHub}. */
export interface SettingsHubOptions {
  /**
   * The JSON file the settings live in.
   * @default SETTINGS_SYNC_FILE, else `switchyard-settings-sync/settings.json` in the OS's
   * temporary directory
   */
  file?: string;
  /** Milliseconds of the file store's write debounce. @default 200 */
  debounce?: number;
  /**
   * Milliseconds the changes of writes are gathered into one event (at most 10 writes).
   * @default 100
   */
  batchWindow?: number;
  /** Passed to `createHub` (a broker, a logger …). */
  hub?: Omit<HubOptions, "state">;
}

/** The default file: outside the repository, so running the example never changes a tracked file. */
export function defaultSettingsFile(): string {
  return (
    process.env.SETTINGS_SYNC_FILE ?? join(tmpdir(), "switchyard-settings-sync", "settings.json")
  );
}

/** A hub holding the settings document; anonymous browsers may read and write it. */
export function createSettingsHub(options: SettingsHubOptions = {}): Hub {
  const keys = Object.fromEntries(
    Object.entries(SETTINGS).map(([key, spec]) => [
      key,
      { schema: schemaOf(spec), default: spec.default },
    ]),
  );
  const hub = createHub({
    allowAnonymous: true,
    defaultNamespace: { subscribe: "anyone" },
    ...options.hub,
    state: {
      documents: {
        [DOCUMENT]: {
          keys,
          presets: PRESETS as Record<string, Record<string, unknown>>,
          read: "anyone",
          write: { "": "anyone" },
          batch: { window: options.batchWindow ?? 100, max: 10 },
          file: {
            path: options.file ?? defaultSettingsFile(),
            ...(options.debounce === undefined ? {} : { debounce: options.debounce }),
          },
        },
      },
    },
  });
  hub.state(DOCUMENT).on("error", (error) => {
    // A failure while the hub closes (its last write) has nobody left to tell.
    hub.publish(FILE_CHANNEL, "file_error", { message: error.message }).catch(() => {});
  });
  return hub;
}

/** Options of {@link createSettingsApp}. */
export interface SettingsAppOptions extends SettingsHubOptions {
  /** The HTTP API's key. @default SETTINGS_SYNC_API_KEY, else {@link DEV_API_KEY} */
  apiKey?: string;
}

/**
 * The settings app's hub for the web apps server, with the hub's HTTP API as its routes (at
 * `/settings-sync/api/…`), so another backend changes settings over HTTP.
 */
export function createSettingsApp(options: SettingsAppOptions = {}): AppHubFactory {
  return async () => {
    const file = options.file ?? defaultSettingsFile();
    await mkdir(dirname(file), { recursive: true });
    const hub = createSettingsHub({ ...options, file });
    await hub.whenStarted();
    const apiKey = options.apiKey ?? process.env.SETTINGS_SYNC_API_KEY ?? DEV_API_KEY;
    return {
      hub,
      routes: createHttpApi(hub, { apiKey }),
      close: () => hub.close({ timeout: 500 }),
    };
  };
}

/** The app as `npm start` serves it: the file in the OS's temporary directory. */
export const settingsApp: AppHubFactory = createSettingsApp();
