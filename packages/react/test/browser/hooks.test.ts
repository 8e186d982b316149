/**
 * The hooks without a component of their own in real Chromium (`hooks-page.tsx`, under
 * StrictMode), two people in two browser contexts on a real hub: events server code publishes
 * show in both, a synced-state write, preset and undo made by one show on the other's screen,
 * an RPC shows its result and its error, and the job list shows the user's job.
 */
import { fileURLToPath } from "node:url";
import { type Hub, SwitchyardError } from "@switchyard/server";
import { SignJWT } from "jose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Chromium, launchChromium } from "./browser.js";
import { buildPage } from "./page-build.js";
import { HubServer, serveStatic } from "./servers.js";

const ENTRY = fileURLToPath(new URL("./hooks-page.tsx", import.meta.url));
const SECRET = "switchyard-react-test-secret-of-32-bytes";
const key = new TextEncoder().encode(SECRET);
/** The page's channel and list limit (`hooks-page.tsx`). */
const FEED = "feed:main";
const LIST_LIMIT = 3;

function sign(sub: string): Promise<string> {
  return new SignJWT({ sub }).setProtectedHeader({ alg: "HS256" }).sign(key);
}

function setup(hub: Hub) {
  hub.rpc("math.add", (data) => {
    const { a, b } = data as { a: number; b: number };
    if (a < 0) throw new SwitchyardError("invalid_data", "a must not be negative");
    return a + b;
  });
}

let chromium: Chromium;
let built: Awaited<ReturnType<typeof buildPage>>;
let site: Awaited<ReturnType<typeof serveStatic>>;
let hub: HubServer;
let alice: Page;
let bob: Page;
let jobId: string;

/** Opens the page as `sub` in a new browser context. */
async function open(sub: string): Promise<Page> {
  const page = await chromium.newPage();
  const query = new URLSearchParams({ hub: hub.url, token: await sign(sub) });
  await page.goto(`${site.url}?${query}`);
  return page;
}

/** Waits until the meter named `name` in `page` shows `value`. */
function meterAt(page: Page, name: string, value: number) {
  return page
    .getByRole("meter", { name })
    .and(page.locator(`[value="${value}"]`))
    .waitFor();
}

beforeAll(async () => {
  [chromium, built] = await Promise.all([launchChromium(), buildPage({ entry: ENTRY })]);
  site = await serveStatic(built.dir);
  hub = await HubServer.start(
    {
      auth: { secret: SECRET },
      namespaces: { feed: { subscribe: "anyone" } },
      state: {
        documents: {
          settings: {
            keys: {
              damping: { schema: z.number().min(0).max(1), default: 0.5 },
              gravity: { schema: z.number(), default: 9.81 },
            },
            presets: { calm: { damping: 0.9, gravity: 1 } },
            read: "authenticated",
            write: { "": "authenticated" },
          },
        },
      },
    },
    setup,
  );
  jobId = (await hub.hub.jobs.create({ owner: { userId: "alice" } })).id;
  [alice, bob] = await Promise.all([open("alice"), open("bob")]);
  // Both subscribed before anything is published: the hooks show events since they mounted.
  for (const page of [alice, bob]) {
    await page.locator(".subscription .status", { hasText: /^subscribed$/ }).waitFor();
  }
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await site?.close();
  await chromium?.close();
  await built?.remove();
});

describe("hooks in Chromium against a real hub, two browser contexts", () => {
  it("useSubscription, useLatestEvent and useEventList show what server code publishes, in both", async () => {
    for (const page of [alice, bob]) {
      await expect(page.locator(".latest").textContent()).resolves.toBe("latest=-");
      await expect(
        page.getByRole("list", { name: "Last ticks" }).locator("li").count(),
      ).resolves.toBe(0);
    }
    for (const n of [1, 2, 3, 4, 5]) {
      await hub.hub.publish(FEED, "tick", { n });
      await hub.hub.publish(FEED, "other", { n: -n }); // filtered out by every hook
    }
    for (const page of [alice, bob]) {
      await page.locator(".seen", { hasText: /^seen=5$/ }).waitFor();
      await page.locator(".latest", { hasText: /^latest=5$/ }).waitFor();
      // Still 5 once the frame-batched hooks caught up: StrictMode's double mount must not
      // deliver an event twice to `onEvent`.
      await expect(page.locator(".seen").textContent()).resolves.toBe("seen=5");
      const items = page.getByRole("list", { name: "Last ticks" }).getByRole("listitem");
      const last = [1, 2, 3, 4, 5].slice(-LIST_LIMIT).map((n) => `tick ${n}`);
      await expect(items.allTextContents()).resolves.toEqual(last);
    }
  });

  it("useSyncedState: a write, a preset and an undo from A show in B", async () => {
    for (const page of [alice, bob]) {
      await meterAt(page, "Damping", 0.5);
      await meterAt(page, "Gravity", 9.81);
    }
    await alice.getByRole("button", { name: "Set damping 0.8" }).click();
    await meterAt(bob, "Damping", 0.8);
    await expect(bob.getByRole("meter", { name: "Damping" }).textContent()).resolves.toBe(
      "damping=0.8",
    );

    await alice.getByRole("button", { name: "Calm" }).click();
    await meterAt(bob, "Damping", 0.9);
    await meterAt(bob, "Gravity", 1);

    // Undo reverts Alice's last write (the preset), not the one before it.
    await alice.getByRole("button", { name: "Undo" }).click();
    await meterAt(bob, "Gravity", 9.81);
    await meterAt(bob, "Damping", 0.8);
    await meterAt(alice, "Damping", 0.8);
    await expect(hub.hub.state("settings").value("damping")).resolves.toBe(0.8);
  });

  it("useRpc shows a call's result, then an error; the earlier result stays", async () => {
    const adder = alice.getByRole("region", { name: "Adder" });
    await expect(adder.locator("output").textContent()).resolves.toBe("sum=-");
    await adder.getByRole("button", { name: "Add 1 + 2" }).click();
    await adder.locator("output", { hasText: /^sum=3$/ }).waitFor();
    await expect(adder.getByRole("alert").count()).resolves.toBe(0);

    await adder.getByRole("button", { name: "Add -1 + 2" }).click();
    await adder
      .getByRole("alert")
      .filter({ hasText: /^a must not be negative$/ })
      .waitFor();
    await expect(adder.locator("output").textContent()).resolves.toBe("sum=3");
    await expect(adder.locator("output").getAttribute("aria-busy")).resolves.toBe("false");
  });

  it("useJobs lists the user's job for its owner only", async () => {
    const mine = alice.getByRole("list", { name: "My jobs" });
    await alice.locator(".jobs-summary", { hasText: /^jobs ready: 1$/ }).waitFor();
    await expect(mine.getByRole("listitem").allTextContents()).resolves.toEqual([
      `${jobId}: running`,
    ]);
    await bob.locator(".jobs-summary", { hasText: /^jobs ready: 0$/ }).waitFor();
    await expect(
      bob.getByRole("list", { name: "My jobs" }).getByRole("listitem").count(),
    ).resolves.toBe(0);
  });

  it("logged no console or page error in either context", () => {
    expect(chromium.errors.splice(0)).toEqual([]);
  });
});
