/**
 * The components in real Chromium, two people in two browser contexts on a real hub: what one
 * does (or the server's job does) shows on the other's screen. Set SWITCHYARD_SCREENSHOTS to a
 * directory to keep a PNG of each screen.
 */
import { join } from "node:path";
import type { Hub, JobHandle } from "@switchyard/server";
import { SignJWT } from "jose";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Chromium, launchChromium } from "./browser.js";
import { buildPage } from "./page-build.js";
import { HubServer, serveStatic } from "./servers.js";

const SECRET = "switchyard-react-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);
const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOTS;

const PEOPLE = {
  alice: { name: "Alice Martin" },
  bob: { name: "Bob Nguyen" },
  carol: { name: "Carol Diaz" },
} as const;
type Person = keyof typeof PEOPLE;

function sign(sub: Person): Promise<string> {
  return new SignJWT({ sub, presence: PEOPLE[sub] }).setProtectedHeader({ alg: "HS256" }).sign(key);
}

/** Validation answers the pages sent through the `review` RPC. */
const reviews: { jobId: string; decision: unknown; userId: string | null }[] = [];
let reviewed: () => void = () => {};

function setup(hub: Hub) {
  hub.rpc("review", async (input: { jobId: string; decision: unknown }, { client }) => {
    reviews.push({ ...input, userId: client.userId });
    reviewed();
    return { ok: true };
  });
}

let chromium: Chromium;
let site: Awaited<ReturnType<typeof serveStatic>>;
let built: Awaited<ReturnType<typeof buildPage>>;
let hub: HubServer;

beforeAll(async () => {
  [chromium, built] = await Promise.all([launchChromium(), buildPage()]);
  site = await serveStatic(built.dir);
  hub = await HubServer.start(
    {
      auth: { secret: SECRET },
      defaultNamespace: { subscribe: "anyone", publish: "anyone" },
      presence: { namespaces: { room: { grace: 0 } } },
    },
    setup,
  );
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await site?.close();
  await chromium?.close();
  await built?.remove();
});

const pages: Page[] = [];
afterEach(async () => {
  for (const page of pages.splice(0)) await page.context().close();
  // Pages reconnecting to a stopped hub log the failed attempts; anything else is a defect.
  const errors = chromium.errors.splice(0).filter((error) => !error.includes("WebSocket"));
  expect(errors).toEqual([]);
});

/** Opens the test page with `query` in a new browser context. */
async function load(query: Record<string, string>): Promise<Page> {
  const page = await chromium.newPage();
  pages.push(page);
  await page.goto(`${site.url}?${new URLSearchParams({ hub: hub.url, ...query })}`);
  return page;
}

/** Opens the test page as `who`, once its badge says Live. */
async function open(who: Person, query: Record<string, string> = {}): Promise<Page> {
  const page = await load({ token: await sign(who), ...query });
  await page.locator(".sy-badge--live").waitFor();
  return page;
}

/** Keeps a PNG of the page's components (with a margin) when SWITCHYARD_SCREENSHOTS is set. */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  const box = await page.locator("main").boundingBox();
  if (box === null) throw new Error("The test page has no <main>");
  const margin = 16;
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    clip: {
      x: box.x - margin,
      y: box.y - margin,
      width: box.width + 2 * margin,
      height: box.height + 2 * margin,
    },
  });
}

const bar = (page: Page, percent: number) =>
  page.locator(`[role="progressbar"][aria-valuenow="${percent}"]`).waitFor();

/** A job owned by alice that everyone signed in may watch, run by this test as server code. */
function aliceJob(options: { queued?: boolean } = {}): Promise<JobHandle> {
  return hub.hub.jobs.create({
    owner: { userId: "alice" },
    visibility: "authenticated",
    ...options,
  });
}

describe("JobProgress", () => {
  it("shows a job run by server code advance on both screens, and a cancel in one in both", async () => {
    const job = await aliceJob();
    const alice = await open("alice", { jobs: job.id, owner: "1" });
    const bob = await open("bob", { jobs: job.id });
    for (const page of [alice, bob]) {
      await bar(page, 0);
      await page.getByRole("status").filter({ hasText: "Running" }).waitFor();
    }

    await job.progress(30, { step: "Segmenting", eta: 95 });
    await job.chunk({ slice: 0 }, { index: 0, total: 8 });
    await job.chunk({ slice: 1 }, { index: 1, total: 8 });
    for (const page of [alice, bob]) {
      await bar(page, 30);
      await page.getByText("2 of 8 chunks").waitFor();
      await expect(page.locator(".sy-job__step").textContent()).resolves.toBe("Segmenting");
      await expect(page.locator(".sy-job__eta").textContent()).resolves.toMatch(
        /^1 min \d+ s left$/,
      );
    }
    await job.progress(64.4, { step: "Measuring" });
    await bar(alice, 64);
    await bar(bob, 64);
    const bobsBar = bob.getByRole("progressbar", { name: `Job ${job.id}` });
    await expect(bobsBar.getAttribute("aria-valuetext")).resolves.toBe("64 %");
    await screenshot(alice, "job-running");

    // Only the owner gets a cancel button; bob's page has none.
    await expect(bob.getByRole("button", { name: "Cancel" }).count()).resolves.toBe(0);
    const stopped = new Promise<void>((resolve) =>
      job.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    // By keyboard: the cancel button is the page's one stop, with a visible focus ring.
    await alice.keyboard.press("Tab");
    const cancel = alice.getByRole("button", { name: "Cancel" });
    await expect(
      cancel.evaluate(
        (button) => button.matches(":focus-visible") && getComputedStyle(button).outlineStyle,
      ),
    ).resolves.toBe("solid");
    await alice.keyboard.press("Enter");
    await stopped;
    await bob.getByRole("status").filter({ hasText: "Cancelling…" }).waitFor();
    await job.confirmCancel();
    for (const page of [alice, bob]) {
      await page.locator(".sy-job--cancelled").waitFor();
      await expect(page.locator(".sy-job__status").textContent()).resolves.toBe("Cancelled");
      await expect(page.getByRole("button").count()).resolves.toBe(0);
    }
    await screenshot(bob, "job-cancelled");
  });

  it("asks for validation on both screens; an answer goes to the app, the job completes", async () => {
    const job = await aliceJob();
    const alice = await open("alice", { jobs: job.id, owner: "1", channel: "room:2" });
    const bob = await open("bob", { jobs: job.id, channel: "room:2" });
    await alice.getByRole("list", { name: "2 people here" }).first().waitFor();
    await job.chunk({ slice: 0 }, { index: 0, total: 3 });
    await job.progress(90, { step: "Scoring", eta: 20 });
    await job.requireValidation({
      reason: "Confidence score below threshold (0.7)",
      confidence: 0.62,
      suggestedActions: ["Review segmentation boundaries", "Check slice 14"],
    });
    for (const page of [alice, bob]) {
      const request = page.getByRole("group", { name: "Review requested" });
      await request.getByText("Confidence score below threshold (0.7)").waitFor();
      await expect(request.getByText("Confidence 62 %").count()).resolves.toBe(1);
      await expect(request.getByRole("listitem").allTextContents()).resolves.toEqual([
        "Review segmentation boundaries",
        "Check slice 14",
      ]);
    }
    await screenshot(alice, "job-validation");

    const answered = new Promise<void>((resolve) => {
      reviewed = resolve;
    });
    await bob.getByRole("button", { name: "Reject" }).click();
    await answered;
    expect(reviews.at(-1)).toEqual({ jobId: job.id, decision: "reject", userId: "bob" });
    await bob.getByRole("status").filter({ hasText: "Rejected" }).waitFor();
    // Alice has not answered: her buttons are still there.
    await expect(alice.getByRole("button", { name: "Accept" }).isEnabled()).resolves.toBe(true);

    await job.complete({ objects: 12 });
    for (const page of [alice, bob]) {
      await bar(page, 100);
      await page.locator(".sy-job--completed").waitFor();
      await expect(page.locator(".sy-job__status").textContent()).resolves.toBe("Completed");
    }
    await screenshot(bob, "job-completed");
  });

  it("shows queued, running, failed and a refused job in their states", async () => {
    const queued = await aliceJob({ queued: true });
    const failing = await aliceJob();
    const alice = await open("alice", {
      jobs: `${queued.id},${failing.id},missing-job`,
      owner: "1",
    });
    const jobs = alice.locator(".sy-job");
    await jobs.nth(0).locator(".sy-job__status", { hasText: "Queued" }).waitFor();
    await jobs.nth(1).locator(".sy-job__status", { hasText: "Running" }).waitFor();
    await jobs.nth(2).getByRole("alert").filter({ hasText: "missing-job" }).waitFor();

    await failing.progress(40, { step: "Loading the stack" });
    await jobs.nth(1).locator('[aria-valuenow="40"]').waitFor();
    await failing.fail("The stack has no slices", { code: "EMPTY_STACK" });
    await jobs.nth(1).locator(".sy-job__status", { hasText: "Failed" }).waitFor();
    await expect(jobs.nth(1).getByRole("alert").textContent()).resolves.toBe(
      "The stack has no slices",
    );
    await expect(jobs.nth(2).locator(".sy-job__status").textContent()).resolves.toBe("Unavailable");
    await screenshot(alice, "job-states");
    await queued.start();
    await jobs.nth(0).locator(".sy-job__status", { hasText: "Running" }).waitFor();
    await queued.complete();
  });
});

describe("PresenceAvatars", () => {
  it("shows two people on a channel to each other, and a third as overflow", async () => {
    const alice = await open("alice", { channel: "room:1" });
    const bob = await open("bob", { channel: "room:1" });
    for (const page of [alice, bob]) {
      const group = page.getByRole("list", { name: "2 people here" }).first();
      await group.waitFor();
      const avatars = group.getByRole("listitem");
      await expect(avatars.allTextContents()).resolves.toEqual(["AMAlice Martin", "BNBob Nguyen"]);
      await expect(avatars.locator('[aria-hidden="true"]').allTextContents()).resolves.toEqual([
        "AM",
        "BN",
      ]);
    }
    const carol = await open("carol", { channel: "room:1" });
    await alice.getByRole("list", { name: "3 people here" }).first().waitFor();
    // The second row shows one avatar and the others as "+2".
    const few = alice.locator(".few");
    await expect(few.locator(".sy-avatar").count()).resolves.toBe(2);
    await expect(few.locator(".sy-avatar--overflow").getAttribute("title")).resolves.toBe("2 more");
    await screenshot(alice, "presence");

    await carol.context().close();
    pages.splice(pages.indexOf(carol), 1);
    await bob.getByRole("list", { name: "2 people here" }).first().waitFor();
  });
});

describe("ConnectionBadge", () => {
  it("goes Reconnecting, with a countdown, while the hub restarts, then Live", async () => {
    const alice = await open("alice");
    const bob = await open("bob");
    await expect(alice.getByRole("status").textContent()).resolves.toBe("Live");
    await expect(alice.locator(".sy-badge").getAttribute("title")).resolves.toBe("connected");
    await screenshot(alice, "badge-live");

    await hub.stop();
    for (const page of [alice, bob]) {
      await page.locator(".sy-badge--reconnecting").waitFor();
      await page.locator(".sy-badge__countdown", { hasText: /^in \d s$/ }).waitFor();
      await expect(page.getByRole("status").textContent()).resolves.toBe("Reconnecting");
      // The whole badge reads as a sentence (the countdown may be between two attempts: wait).
      await page.locator(".sy-badge", { hasText: /^Reconnecting in \d s$/ }).waitFor();
    }
    await expect(alice.locator(".sy-badge").getAttribute("title")).resolves.toMatch(
      /server_shutting_down|network/,
    );
    await screenshot(alice, "badge-reconnecting");

    await hub.start();
    for (const page of [alice, bob]) await page.locator(".sy-badge--live").waitFor();
  });

  it("says Offline, with the hub's reason as its title, when the hub refuses the token", async () => {
    const page = await load({ token: "not-a-token" });
    await page.locator(".sy-badge--offline").waitFor();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Offline");
    await expect(page.locator(".sy-badge").getAttribute("title")).resolves.toMatch(
      /^token_invalid: .+ \(close code 4002\)$/,
    );
    await screenshot(page, "badge-offline");
  });
});
