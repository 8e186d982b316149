/**
 * What the settings sync app's browser tests share: the web apps server with the app's hub
 * alone, its settings file in a temporary directory (removed after the file's tests), two
 * people (each a page in a browser context of its own, opened once per test file), and the
 * on-screen readings the tests assert on.
 */
import { mkdtempSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect } from "vitest";
import { createSettingsApp } from "../../settings-sync/server.js";
import { webAppsFixture } from "../test/support.js";

export const APP = "settings-sync";
const API_KEY = "settings-sync-test-key-0123456789";
export const POLL = { timeout: 10_000, interval: 50 };

/** Options of {@link settingsAppFixture}. */
export interface SettingsAppTestOptions {
  /** The hub's batch window in ms. @default 100 */
  batchWindow?: number;
}

/** Starts the app for the calling test file (call at its top level). */
export function settingsAppFixture(options: SettingsAppTestOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "settings-sync-test-"));
  const file = join(dir, "settings.json");
  // Registered first, so it runs after the server's hubs are closed (their last write done).
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const fixture = webAppsFixture({
    hubs: {
      [APP]: createSettingsApp({
        file,
        apiKey: API_KEY,
        debounce: 50,
        ...(options.batchWindow === undefined ? {} : { batchWindow: options.batchWindow }),
      }),
    },
  });

  let opened: Promise<[Page, Page]> | undefined;

  /** A page of the app in a new context (another person), once its badge says Live. */
  async function open(): Promise<Page> {
    const { apps, browser } = await fixture();
    const page = await browser.newPage();
    await page.goto(apps.appUrl(APP));
    await badge(page, "Live");
    await page.getByRole("slider", { name: "Damping" }).waitFor();
    return page;
  }

  /** The hub's HTTP API, as another backend calls it. */
  async function api(path: string, init: { method: string; body?: unknown }): Promise<Response> {
    const { apps } = await fixture();
    return fetch(new URL(`api/state/settings${path}`, apps.appUrl(APP)), {
      method: init.method,
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  }

  return {
    fixture,
    file,
    api,
    /**
     * The two people of every test, opened once for the file (a page keeps its connection,
     * its store and its counters across the tests, as a person's open tab would).
     */
    people(): Promise<[Page, Page]> {
      opened ??= Promise.all([open(), open()]);
      return opened;
    },
    /** Waits until the file holds the hub's written values (no write of the hub pending). */
    async fileSettled(): Promise<void> {
      await expect
        .poll(async () => {
          const document = (await (await api("", { method: "GET" })).json()) as {
            entries: Record<string, { value: unknown; updatedBy: string | null }>;
          };
          const written = Object.fromEntries(
            Object.entries(document.entries)
              .filter(([, entry]) => entry.updatedBy !== null)
              .map(([key, entry]) => [key, entry.value]),
          );
          const text = await readFile(file, "utf8").catch(() => "{}");
          return JSON.stringify(sortKeys(JSON.parse(text))) === JSON.stringify(sortKeys(written));
        }, POLL)
        .toBe(true);
    },
    /** The file's values. */
    async readFile(): Promise<Record<string, unknown>> {
      return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    },
    /** Saves the file as an editor does: a new file renamed over the old one. */
    async editFile(values: Record<string, unknown>): Promise<void> {
      const temporary = join(dir, ".edit.tmp");
      await writeFile(temporary, `${JSON.stringify(values, null, 2)}\n`);
      await rename(temporary, file);
    },
  };
}

function sortKeys(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
}

/** Waits until the connection badge's text starts with `text` (Live, Reconnecting …). */
export async function badge(page: Page, text: string): Promise<void> {
  await expect
    .poll(() => page.locator(".sy-badge").textContent(), { timeout: 30_000, interval: 50 })
    .toMatch(new RegExp(`^${text}`));
}

export const slider = (page: Page, name: string) => page.getByRole("slider", { name, exact: true });
export const sliderValue = (page: Page, name: string) => slider(page, name).inputValue();
/** The status's "Updates received". */
export const count = async (page: Page) =>
  Number(await page.getByTestId("update-count").textContent());
/** The status's document version. */
export const version = async (page: Page) =>
  Number(await page.getByTestId("version").textContent());
/** The newest entry of the "Updates received" feed. */
export const feedTop = (page: Page) => page.locator(".feed-item").first().textContent();
