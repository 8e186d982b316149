/**
 * The lab booking app in real Chromium, against its real Python backend (SQLite) and hub:
 * separate browser contexts are separate people (Ada the admin, Ben and Chloé). What one does
 * shows on the others' screens through the backend's events and TanStack Query refetches,
 * never a reload or a poll; a sample notice reaches its recipient only; a screen offline past
 * the channels' history, or through a hub restart, refetches rather than stays stale.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBookingApp } from "../../lab-booking/server.js";
import { webAppsFixture } from "../test/support.js";
import { type Account, colleague, logIn } from "./drive.js";

const APP = "lab-booking";
const dataDir = mkdtempSync(join(tmpdir(), "lab-booking-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// A small history, so "offline past the history window" takes a few changes.
const HISTORY = { size: 3, ttl: 120_000 };
const fixture = webAppsFixture({
  hubs: { [APP]: createBookingApp({ dataDir, history: HISTORY, personalHistory: HISTORY }) },
});

const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
});

/** Requests that failed or were refused, with when and whose: the last test reports them. */
const failures: string[] = [];
const started = Date.now();

/** A person: their own browser context, logged in. */
async function person(user: Account): Promise<Page> {
  const { apps, browser } = await fixture();
  const context = await browser.newContext();
  contexts.push(context);
  const page = await browser.newPage(context);
  page.on("requestfailed", (request) => {
    failures.push(
      `${Date.now() - started} ms ${user} ${request.url()} ${request.failure()?.errorText}`,
    );
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      failures.push(`${Date.now() - started} ms ${user} ${response.url()} ${response.status()}`);
    }
  });
  await logIn(page, apps.appUrl(APP), user);
  // A reload would drop what this sets: the tests check it is still there. It also notes, by the
  // page's clock, when each equipment name first shows and when a form was last submitted.
  await page.evaluate(() => {
    const marks = window as unknown as {
      stayed: boolean;
      shown: Record<string, number>;
      submitted: number;
    };
    marks.stayed = true;
    marks.shown = {};
    const note = () => {
      for (const element of document.querySelectorAll(".equipment-name")) {
        const name = element.textContent ?? "";
        marks.shown[name] ??= Date.now();
      }
    };
    note();
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    document.addEventListener(
      "submit",
      () => {
        marks.submitted = Date.now();
      },
      true,
    );
  });
  return page;
}

/** Ada (admin), Ben and Chloé, each logged in on a page of their own, for the whole file. */
let ada: Page;
let ben: Page;
let chloe: Page;
beforeAll(async () => {
  [ada, ben, chloe] = await Promise.all([person("ada"), person("ben"), person("chloe")]);
}, 60_000);

/** The text of the first match, or "" when there is none (never waits). */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? "") : "";
}

/** Polls `read` until the assertion holds (5 s unless told). */
function soon<T>(read: () => Promise<T>, timeout = 5000) {
  return expect.poll(read, { timeout, interval: 25 });
}

function equipmentRow(page: Page, name: string) {
  return page.getByRole("listitem", { name, exact: true });
}

function badge(page: Page) {
  return page.locator(".sy-badge__label");
}

async function unreadCount(page: Page): Promise<number> {
  const label = (await page.locator(".inbox-link").getAttribute("aria-label")) ?? "";
  return Number(/^(\d+) unread/.exec(label)?.[1]);
}

/** From `from`'s last form submit to `name` first showing on `to`, by the pages' clocks (one machine). */
async function latency(from: Page, to: Page, name: string): Promise<number> {
  const submitted = await from.evaluate(
    () => (window as unknown as { submitted: number }).submitted,
  );
  const shown = await to.evaluate(
    (name) => (window as unknown as { shown: Record<string, number> }).shown[name] as number,
    name,
  );
  return shown - submitted;
}

async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);
}

/** Counts the page's requests to the backend whose path ends with one of `paths`. */
function countRequests(page: Page, paths: string[]): { count: number } {
  const counter = { count: 0 };
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (paths.some((end) => path.endsWith(`/backend/${end}`))) counter.count += 1;
  });
  return counter;
}

describe("lab booking in Chromium", () => {
  it("shows the equipment an admin adds and edits on another user's list in under a second, without a reload", async () => {
    const name = `Plate reader ${Date.now() % 100_000}`;

    await ada.getByRole("button", { name: "Add equipment" }).click();
    const form = ada.getByRole("form", { name: "New equipment" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Location").fill("Room 4.01");
    await form.getByLabel("Description").fill("Tecan Spark, absorbance and fluorescence");
    await form.getByRole("button", { name: "Add" }).click();
    await equipmentRow(ben, name).waitFor({ timeout: 5000 });
    const added = await latency(ada, ben, name);
    await soon(() => textOf(equipmentRow(ben, name))).toContain("Room 4.01");
    await soon(() => textOf(equipmentRow(ben, name))).toContain("Available");

    await ada.getByRole("button", { name: `Edit ${name}` }).click();
    const edit = ada.getByRole("form", { name: `Edit ${name}` });
    await edit.getByLabel("Name").fill(`${name} (Spark 2)`);
    await edit.getByLabel("Status").selectOption("maintenance");
    await edit.getByRole("button", { name: "Save" }).click();
    await equipmentRow(ben, `${name} (Spark 2)`).waitFor({ timeout: 5000 });
    const edited = await latency(ada, ben, `${name} (Spark 2)`);
    await soon(() => textOf(equipmentRow(ben, `${name} (Spark 2)`))).toContain("Maintenance");
    await soon(() => equipmentRow(ben, name).count()).toBe(0);
    // From Ada's submit to Ben's screen: her request, the backend's write and event, Ben's
    // refetch and render.
    console.log(`equipment on the other screen: added in ${added} ms, edited in ${edited} ms`);
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(1000);
    expect(edited).toBeLessThan(1000);
    expect(await notReloaded(ben)).toBe(true);
  });

  it("shows a session another user starts: the equipment turns in use, then available again", async () => {
    await soon(() => textOf(equipmentRow(ada, "qPCR system"))).toContain("Available");

    await ben.getByRole("button", { name: "Start session on qPCR system" }).click();
    await soon(() => textOf(equipmentRow(ada, "qPCR system"))).toContain("In use");
    await soon(() => textOf(equipmentRow(ada, "qPCR system"))).toContain("Ben Okafor");
    await soon(() => textOf(ada.getByRole("list", { name: "Running sessions" }))).toContain(
      "qPCR system",
    );
    await soon(() =>
      ada.getByRole("button", { name: "Start session on qPCR system" }).count(),
    ).toBe(0);

    await ben.getByRole("button", { name: "End session on qPCR system" }).click();
    await soon(() => textOf(equipmentRow(ada, "qPCR system"))).toContain("Available");
    await soon(() => textOf(ada.getByRole("list", { name: "Ended sessions" }))).toContain(
      "qPCR system",
    );
    expect(await notReloaded(ada)).toBe(true);
  });

  it("brings a sample to its recipient only: Ben's unread count and toast, nothing for Chloé", async () => {
    const benBefore = await unreadCount(ben);
    const chloeBefore = await unreadCount(chloe);
    const chloeFetches = countRequests(chloe, ["samples/inbox", "samples/unread-count"]);
    const title = `Serum aliquots ${Date.now() % 100_000}`;

    const form = ada.getByRole("form", { name: "Send a sample" });
    await form.getByLabel("To").selectOption("ben");
    await form.getByLabel("Sample").fill(title);
    await form.getByLabel("Notes").fill("Box 7, keep on dry ice");
    await form.getByRole("button", { name: "Send" }).click();

    await soon(() => ben.locator(".inbox-link").getAttribute("aria-label")).toBe(
      `${benBefore + 1} unread ${benBefore + 1 === 1 ? "sample" : "samples"}`,
    );
    await ben.getByText("New sample from Ada Lovelace").waitFor();
    await soon(() => textOf(ben.getByRole("listitem", { name: title }))).toContain(
      "from Ada Lovelace",
    );

    // An event after the sample, on a channel Chloé follows: once she shows it, whatever the hub
    // sent her before has arrived.
    const marker = `Marker ${Date.now() % 100_000}`;
    await (await colleague(ada.url(), "ada")).call("POST", "equipment", { name: marker });
    await equipmentRow(chloe, marker).waitFor();
    expect(await unreadCount(chloe)).toBe(chloeBefore);
    expect(chloeFetches.count).toBe(0);
    await soon(() => chloe.getByText("New sample from").count()).toBe(0);
    await soon(() => chloe.getByRole("listitem", { name: title }).count()).toBe(0);

    // Ben reads it: his count goes down, Ada's sent list follows its status.
    await ben
      .getByRole("listitem", { name: title })
      .getByLabel(`Status of ${title}`)
      .selectOption("analysing");
    await soon(() => ben.locator(".inbox-link").getAttribute("aria-label")).toBe(
      `${benBefore} unread ${benBefore === 1 ? "sample" : "samples"}`,
    );
    await soon(() => textOf(ada.getByRole("list", { name: "Sent samples" }))).toContain(
      "analysing",
    );
  });

  it("refetches a screen that was offline past the history window: never stale", {
    timeout: 60_000,
  }, async () => {
    const { apps } = await fixture();
    const admin = await colleague(ada.url(), "ada");
    const chloeApi = await colleague(ada.url(), "chloe");
    const before = await unreadCount(ben);
    const base = `Centrifuge ${Date.now() % 100_000}`;
    const { id } = await admin.call<{ id: number }>("POST", "equipment", { name: base });
    await equipmentRow(ben, base).waitFor();

    // The network goes, and Ben's link with it (the hub drops it as it would a slow consumer:
    // a code the client reconnects after, which fails while offline).
    await ben.context().setOffline(true);
    apps.current().hubs.get(APP)?.hub.disconnect({ userId: "ben" }, "slow_consumer");
    await soon(() => textOf(badge(ben))).not.toBe("Live");
    // More changes than the channels keep (3): the reconnect cannot recover them.
    for (let n = 1; n <= 5; n++) {
      await admin.call("PATCH", `equipment/${id}`, { name: `${base} rev ${n}` });
    }
    const { id: session } = await chloeApi.call<{ id: number }>("POST", "sessions", {
      equipmentId: id,
    });
    for (let n = 1; n <= 4; n++) await chloeApi.sendSample("ben", `Offline sample ${n}`);
    // Nothing reached Ben meanwhile.
    await equipmentRow(ben, base).waitFor();

    await ben.context().setOffline(false);
    // As after a restart: the backoff's next attempt may be some seconds away.
    await soon(() => textOf(badge(ben)), 30_000).toBe("Live");
    await soon(() => textOf(equipmentRow(ben, `${base} rev 5`))).toContain("In use");
    await soon(() => textOf(equipmentRow(ben, `${base} rev 5`))).toContain("Chloé Martin");
    await soon(() => equipmentRow(ben, base).count()).toBe(0);
    await soon(() => ben.locator(".inbox-link").getAttribute("aria-label")).toBe(
      `${before + 4} unread samples`,
    );
    await ben.getByRole("listitem", { name: "Offline sample 4" }).waitFor();
    await soon(() => textOf(ben.getByRole("list", { name: "Running sessions" }))).toContain(
      `${base} rev 5`,
    );
    expect(await notReloaded(ben)).toBe(true);
    // Everyone's screen settles before the next test restarts the hub.
    await chloeApi.call("POST", `sessions/${session}/end`);
    for (const page of [ada, ben, chloe]) {
      await soon(() => textOf(equipmentRow(page, `${base} rev 5`))).toContain("Available");
    }
  });

  it("keeps working through a hub restart: Reconnecting, then Live, and in step again", {
    timeout: 60_000,
  }, async () => {
    const { apps } = await fixture();
    const name = `Spectrometer ${Date.now() % 100_000}`;

    failures.push(`${Date.now() - started} ms stop`);
    await apps.stop();
    failures.push(`${Date.now() - started} ms stopped`);
    await soon(() => textOf(badge(ben))).toMatch(/Reconnecting|Connecting|Offline/);
    await apps.start();
    failures.push(`${Date.now() - started} ms started`);
    // The client's backoff grew while the server was away (up to 1 s, 2 s, 4 s, 8 s… between
    // attempts): under load the next attempt may come well after the hub is back.
    await soon(() => textOf(badge(ben)), 30_000).toBe("Live");
    await soon(() => textOf(badge(ada)), 30_000).toBe("Live");

    // Ada's form, Ben's screen: the same tokens, a new hub and backend process, the same data.
    await ada.getByRole("button", { name: "Add equipment" }).click();
    const form = ada.getByRole("form", { name: "New equipment" });
    await form.getByLabel("Name").fill(name);
    await form.getByRole("button", { name: "Add" }).click();
    await soon(() => textOf(equipmentRow(ben, name))).toContain("Available");
    await ben.getByRole("button", { name: `Start session on ${name}` }).click();
    await soon(() => textOf(equipmentRow(ada, name))).toContain("In use");
    expect(await notReloaded(ben)).toBe(true);
  });

  it("reports no page errors", async () => {
    const { browser } = await fixture();
    expect(browser.errors, failures.join("\n")).toEqual([]);
  });
});
