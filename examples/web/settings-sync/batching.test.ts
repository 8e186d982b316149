/**
 * Ten rapid changes in one browser reach the other as one batch: the hub sends its batch at
 * the tenth write. This file's hub gathers for up to a second instead of 100 ms, so that a
 * loaded CI machine, which may take more than 100 ms to apply ten writes, still applies them
 * within one window; the batch goes out at the tenth write either way.
 */
import { describe, expect, it } from "vitest";
import { count, feedTop, POLL, settingsAppFixture, slider, sliderValue } from "./testing.js";

const { people, fixture } = settingsAppFixture({ batchWindow: 1000 });

describe("settings sync batching in the browser", { timeout: 45_000 }, () => {
  it("sends ten rapid changes to the other browser as one batch", async () => {
    const [a, b] = await people();
    await slider(a, "Iterations").press("Home");
    await expect.poll(() => sliderValue(b, "Iterations"), POLL).toBe("10");
    const before = await count(b);
    // A fast drag: ten input events on the slider, one after another, as the pointer moves.
    await slider(a, "Iterations").evaluate((element: HTMLInputElement) => {
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
      for (let step = 1; step <= 10; step++) {
        setValue?.call(element, String(10 + step * 10));
        element.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    await expect.poll(() => sliderValue(b, "Iterations"), POLL).toBe("110");
    const feed = await b.locator(".feed-item").allTextContents();
    expect(await count(b), feed.join("\n")).toBe(before + 1);
    expect(await feedTop(b)).toContain("10 writes in one batch");
    const { browser } = await fixture();
    expect(browser.errors).toEqual([]);
  });
});
