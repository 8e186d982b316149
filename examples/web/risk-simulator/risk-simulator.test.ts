/**
 * The risk simulator in real Chromium, with its real Python backend: two people (two browser
 * contexts) on one simulation. Everything asserted is on screen: the chart's drawn step count
 * and last timestep, its canvas pixels, the dialog, the feed, the badge.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { createRiskApp } from "../../risk-simulator/server.js";
import { webAppsFixture } from "../test/support.js";

const APP = "risk-simulator";
const dataDir = await mkdtemp(join(tmpdir(), "risk-browser-test-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));
const fixture = webAppsFixture({ hubs: { [APP]: createRiskApp({ dataDir, stepDelay: 0.05 }) } });

/** Starts a simulation from the page's form; resolves with the simulation's link. */
async function startSimulation(
  page: Page,
  appUrl: string,
  options: { scenario: string; seed: number; steps: number },
): Promise<string> {
  await page.goto(appUrl);
  await page.getByLabel("Scenario").selectOption(options.scenario);
  await page.getByLabel("Seed").fill(String(options.seed));
  await page.getByLabel("Timesteps").fill(String(options.steps));
  await page.getByRole("button", { name: "Start simulation" }).click();
  await page.waitForURL(/\?sim=[0-9a-f]{8}$/);
  return page.url();
}

/** What the chart draws: how many steps, the last timestep (read together). */
function chart(page: Page): Promise<{ count: number; last: number }> {
  return page.evaluate(() => {
    const element = document.querySelector(".health-chart");
    return {
      count: Number(element?.getAttribute("data-count")),
      last: Number(element?.getAttribute("data-last")),
    };
  });
}

/** Waits until the chart's last timestep reaches `timestep`. */
async function chartReaches(page: Page, timestep: number): Promise<void> {
  await page.waitForFunction(
    (t) => Number(document.querySelector(".health-chart")?.getAttribute("data-last")) >= t,
    timestep,
  );
}

/** The chart's canvas, as a PNG data URL: it changes when the plot draws more. */
function canvasPixels(page: Page): Promise<string> {
  return page.evaluate(() =>
    (document.querySelector(".health-chart canvas") as HTMLCanvasElement).toDataURL(),
  );
}

const statValue = (page: Page, name: string) => page.locator(`[data-stat="${name}"]`);

describe("risk simulator web app", () => {
  it("shows one run to two viewers: both charts advance, a decision answered in A closes in B, a reload catches up", async () => {
    const { apps, browser } = await fixture();
    const a = await browser.newPage();
    const link = await startSimulation(a, apps.appUrl(APP), {
      scenario: "real_estate_crash",
      seed: 4,
      steps: 300,
    });
    const b = await browser.newPage(await browser.newContext());
    await b.goto(link);

    // The scenario's property crash at step 10 sends the user's bank past 8% NPA: both see
    // the question, every step before it, and the run waits.
    for (const page of [a, b]) {
      await page.getByTestId("watching").getByText("2 viewers").waitFor();
      await page.getByRole("dialog", { name: "Risk Alert: High NPA Levels" }).waitFor();
      await expect.poll(() => statValue(page, "Timestep").textContent()).toBe("10 / 300");
      expect(await page.getByTestId("run-status").textContent()).toBe("Awaiting decision");
      expect(await chart(page)).toEqual({ count: 10, last: 10 });
    }
    const paused = await Promise.all([canvasPixels(a), canvasPixels(b)]);
    const npaAsked = npaOf(await statValue(b, "Your bank").textContent());
    expect(npaAsked).toBeGreaterThan(8);

    // A answers; B's dialog closes and B sees the answer and the run going on with it.
    await a.getByRole("button", { name: "Apply recommended" }).click();
    await b.getByRole("dialog").waitFor({ state: "hidden" });
    await a.getByRole("dialog").waitFor({ state: "hidden" });
    await b
      .locator(".feed-item", { hasText: "Decided: Provision and cut real-estate exposure" })
      .waitFor();
    await Promise.all([chartReaches(a, 15), chartReaches(b, 15)]);
    expect(await b.getByTestId("run-status").textContent()).toBe("Running");
    // Both charts drew the new steps.
    const moved = await Promise.all([canvasPixels(a), canvasPixels(b)]);
    expect(moved[0]).not.toBe(paused[0]);
    expect(moved[1]).not.toBe(paused[1]);
    // Selling 40% of the mortgage book: the bank's bad-loan ratio falls at once.
    const decided = await b.locator(".feed-item", { hasText: "Decided:" }).textContent();
    const [, from, to] = /NPA ([\d.]+)% → ([\d.]+)%/.exec(decided ?? "") ?? [];
    expect(Number(from)).toBe(npaAsked);
    expect(Number(to)).toBeLessThan(npaAsked - 1);

    // B reloads mid-run: at once every step before the reload, from step 1 without a hole,
    // then the live ones.
    const before = await chart(b);
    await b.reload();
    await b.locator(".health-chart:not([data-count='0'])").waitFor();
    const after = await chart(b);
    expect(after.count).toBeGreaterThanOrEqual(before.count);
    expect(after.count).toBe(after.last);
    await chartReaches(b, after.last + 5);
    const live = await chart(b);
    expect(live.count).toBe(live.last);
    expect(await b.getByRole("dialog").count()).toBe(0);
    expect(browser.errors).toEqual([]);
  }, 40_000);

  it("has a defaults-only view the hub sends nothing but defaults to", async () => {
    const { apps, browser } = await fixture();
    const a = await browser.newPage();
    // A liquidity freeze at step 10: six defaults from step 25 to 30, the run ends at 35.
    const link = await startSimulation(a, apps.appUrl(APP), {
      scenario: "liquidity_freeze",
      seed: 5,
      steps: 35,
    });
    // B finds the run among the recent ones, opens it, then its defaults-only view.
    const sim = new URL(link).searchParams.get("sim") as string;
    const b = await browser.newPage(await browser.newContext());
    await b.goto(apps.appUrl(APP));
    await b
      .locator(".recent li", { hasText: sim })
      .getByText("Liquidity freeze · seed 5")
      .waitFor();
    await b.getByRole("link", { name: sim }).click();
    await b.locator(".health-chart").waitFor();
    await b.getByRole("link", { name: "Defaults only" }).click();
    await b.waitForURL(`${link}&view=defaults`);
    await b.locator(".defaults").waitFor();
    await a.getByTestId("run-status").getByText("Completed").waitFor();
    const shown = await a.locator(".feed-item--entity_default").count();
    expect(shown).toBeGreaterThanOrEqual(3);
    expect(await a.locator(".feed-item--shock_applied").count()).toBeGreaterThanOrEqual(1);
    const rows = b.locator(".defaults tbody tr");
    await expect.poll(() => rows.count()).toBe(shown);
    // What B received live were defaults only (some may have come in its catch-up instead):
    // none of the 35 steps, none of the shocks.
    const received = Number(await b.getByTestId("received").textContent());
    expect(received).toBeLessThanOrEqual(shown);
    expect(await b.locator(".defaults tbody tr.feed-item--live").count()).toBe(received);
    expect(await b.locator(".health-chart").count()).toBe(0);
    // A reload of the view catches up the same list, from the history alone.
    await b.reload();
    await expect.poll(() => b.locator(".defaults tbody tr").count()).toBe(shown);
    expect(await b.getByTestId("received").textContent()).toBe("0");
    expect(browser.errors).toEqual([]);
  }, 40_000);

  it("survives a hub restart: Reconnecting, then Live, the question still asked, the chart carrying on", async () => {
    const { apps, browser } = await fixture();
    const a = await browser.newPage();
    await startSimulation(a, apps.appUrl(APP), {
      scenario: "real_estate_crash",
      seed: 6,
      steps: 300,
    });
    await a.getByRole("dialog", { name: "Risk Alert: High NPA Levels" }).waitFor();
    const badge = a.locator(".sy-badge");
    await badge.getByText("Live").waitFor();
    // Hub and backend restart (a redeploy): the run waits for its answer on disk.
    await Promise.all([badge.getByText("Reconnecting").waitFor(), apps.restart()]);
    await badge.getByText("Live").waitFor();
    expect(await chart(a)).toEqual({ count: 10, last: 10 });
    await a.getByRole("button", { name: "Choose alternative" }).click();
    await a.getByRole("dialog").waitFor({ state: "hidden" });
    await a.locator(".feed-item", { hasText: "Decided: Forbear and keep lending" }).waitFor();
    await chartReaches(a, 20);
    const after = await chart(a);
    expect(after.count).toBe(after.last);
    expect(browser.errors).toEqual([]);
  }, 40_000);
});

function npaOf(text: string | null): number {
  return Number.parseFloat(text?.replace("NPA ", "") ?? "");
}
