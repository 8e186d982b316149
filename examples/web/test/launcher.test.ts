/**
 * The launcher in real Chromium: it lists every app of the catalog with its line and a link
 * that opens a built page, and each app's hub answers at `/<app>/ws` on the same origin.
 */
import { describe, expect, it } from "vitest";
import { APPS } from "../catalog.js";
import { webAppsFixture } from "./support.js";

const fixture = webAppsFixture();

describe("the launcher", () => {
  it("lists every app with what it shows, and each link opens its page", async () => {
    const { apps, browser } = await fixture();
    const page = await browser.newPage();
    await page.goto(apps.url);
    const cards = page.locator(".app-card");
    await expect.poll(() => cards.count()).toBe(APPS.length);
    for (const [index, app] of APPS.entries()) {
      const card = cards.nth(index);
      await expect.poll(() => card.locator(".app-link").textContent()).toBe(app.title);
      expect(await card.locator("p").textContent()).toBe(app.what);
      const href = await card.locator(".app-link").getAttribute("href");
      const response = await page.request.get(new URL(href ?? "", apps.url).href);
      expect(response.status(), app.name).toBe(200);
      expect(await response.text(), app.name).toContain('<div id="root">');
    }
    expect(browser.errors).toEqual([]);
  });

  it("serves each app's hub on the page's origin", async () => {
    const { apps, browser } = await fixture();
    const page = await browser.newPage();
    await page.goto(apps.url);
    for (const app of APPS) {
      const opened = await page.evaluate(
        (url) =>
          new Promise<boolean>((resolve) => {
            const socket = new WebSocket(url);
            socket.onopen = () => {
              socket.close();
              resolve(true);
            };
            socket.onerror = () => resolve(false);
          }),
        `${apps.appUrl(app.name).replace(/^http/, "ws")}ws`,
      );
      expect(opened, app.name).toBe(true);
    }
  });
});
