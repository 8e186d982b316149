/**
 * The settings sync app in Chromium, two browser contexts (two people) on one hub whose
 * settings file lives in a temporary directory: a change, a preset, an external file edit, a
 * conflicting edit, undo, the HTTP API of another backend, and a hub restart. Everything is
 * asserted on screen: slider values, switch states, the status's counter and version, the
 * feed, toasts and the conflict banner. Ten rapid changes: `batching.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../settings-sync/settings.js";
import {
  badge,
  count,
  feedTop,
  POLL,
  settingsAppFixture,
  slider,
  sliderValue,
  version,
} from "./testing.js";

const app = settingsAppFixture();
const { people, api, fileSettled, editFile, fixture } = app;

describe("settings sync in the browser", { timeout: 45_000 }, () => {
  it("shows a change made in one browser in the other, with who made it", async () => {
    const [a, b] = await people();
    const before = await count(b);
    const start = Number(await sliderValue(a, "Damping"));
    await slider(a, "Damping").press("ArrowLeft");
    const expected = String(Math.round((start - 0.01) * 100) / 100);
    await expect.poll(() => sliderValue(a, "Damping"), POLL).toBe(expected);
    await expect.poll(() => sliderValue(b, "Damping"), POLL).toBe(expected);
    await expect.poll(() => count(b), POLL).toBe(before + 1);
    expect(await feedTop(b)).toContain("Physics › Damping");
    expect(await feedTop(b)).toContain("1 write in one batch · another client");
    expect(await b.locator('[data-key="physics.damping"] .setting-meta').textContent()).toMatch(
      /^another client · \d\d:\d\d:\d\d$/,
    );
    expect(await a.locator('[data-key="physics.damping"] .setting-meta').textContent()).toMatch(
      /^you · /,
    );
  });

  it("applies a preset of about 70 settings everywhere in one batch", async () => {
    const [a, b] = await people();
    const keys = Object.keys(PRESETS.high).length;
    expect(keys).toBeGreaterThanOrEqual(65);
    // From the low preset, so that the high one changes many values on screen.
    await a.getByRole("button", { name: "Low", exact: true }).click();
    await expect.poll(() => sliderValue(b, "Iterations"), POLL).toBe("50");
    const before = { count: await count(b), version: await version(b) };

    await a.getByRole("button", { name: "High", exact: true }).click();
    await expect.poll(() => sliderValue(b, "Iterations"), POLL).toBe("500");
    await expect.poll(() => sliderValue(a, "Iterations"), POLL).toBe("500");
    // One update, one new version: the whole preset is one write in one batch.
    await expect.poll(() => count(b), POLL).toBe(before.count + 1);
    expect(await version(b)).toBe(before.version + 1);
    expect(await feedTop(b)).toContain(`High quality preset: ${keys} settings`);
    await b.getByText(`${keys} settings changed by another client`).last().waitFor();
    expect(await feedTop(b)).toContain("1 write in one batch");
    await a.getByText("High quality applied").waitFor();
    await a.getByText(`${keys} settings in one update`).last().waitFor();
    // Other categories changed too.
    await b.getByRole("button", { name: /^Rendering/ }).click();
    expect(await b.getByRole("combobox", { name: "Antialiasing" }).inputValue()).toBe("msaa8x");
    expect(await b.getByRole("switch", { name: "HDR" }).getAttribute("aria-checked")).toBe("true");
    await b.getByRole("button", { name: /^Physics/ }).click();
  });

  it("hot-reloads every browser when the file is edited on disk, with a toast", async () => {
    const [a, b] = await people();
    await fileSettled();
    const current = await app.readFile();
    await editFile({ ...current, "physics.damping": 0.42, "physics.enabled": false });
    for (const page of [a, b]) {
      await page.getByText("Settings reloaded: file modified").first().waitFor();
      await expect.poll(() => sliderValue(page, "Damping"), POLL).toBe("0.42");
      const running = page.getByRole("switch", { name: "Simulation running" });
      expect(await running.getAttribute("aria-checked")).toBe("false");
      expect(await feedTop(page)).toContain("Reloaded: file modified");
    }
    // An invalid edit changes nothing, and says why.
    await editFile({ ...current, "physics.damping": 7 });
    for (const page of [a, b]) {
      await page.getByText("The settings file was not loaded").first().waitFor();
      expect(await sliderValue(page, "Damping")).toBe("0.42");
    }
    // Fixed: the file is loaded again (and written again after the next change).
    const reloads = await b.getByText("Settings reloaded: file modified").count();
    await editFile({ ...current, "physics.damping": 0.43 });
    await expect.poll(() => sliderValue(b, "Damping"), POLL).toBe("0.43");
    expect(await b.getByText("Settings reloaded: file modified").count()).toBeGreaterThan(reloads);
  });

  it("shows a conflicting edit of the same key instead of overwriting it", async () => {
    const [a, b] = await people();
    const field = b.getByRole("spinbutton", { name: "Gravity, exact value" });
    await field.fill("0.7"); // B starts an edit...
    await slider(a, "Gravity").press("End"); // ...while A moves the slider to the maximum.
    await b.getByText("changed to 1.00 while you edit").waitFor();
    await field.press("Enter");

    const banner = b.getByRole("alert", { name: "Conflict" });
    await banner.waitFor();
    expect(await banner.textContent()).toContain(
      "Conflict on Physics › Gravity. You entered 0.70, but another client changed it to 1.00",
    );
    // A's value stands in both browsers.
    expect(await sliderValue(b, "Gravity")).toBe("1");
    expect(await sliderValue(a, "Gravity")).toBe("1");

    await banner.getByRole("button", { name: "Use mine (0.70)" }).click();
    await banner.waitFor({ state: "detached" });
    await expect.poll(() => sliderValue(a, "Gravity"), POLL).toBe("0.7");
    await expect.poll(() => sliderValue(b, "Gravity"), POLL).toBe("0.7");
  });

  it("undoes the user's last change, and leaves a key someone changed since", async () => {
    const [a, b] = await people();
    const original = await sliderValue(a, "Repulsion");
    const [first, second] = original === "2500" ? ["3000", "3500"] : ["2500", "3000"];
    const field = a.getByRole("spinbutton", { name: "Repulsion, exact value" });
    await field.fill(first);
    await field.press("Enter");
    await expect.poll(() => sliderValue(b, "Repulsion"), POLL).toBe(first);
    await field.fill(second); // typed again in the field that kept the focus
    await field.press("Enter");
    await expect.poll(() => sliderValue(b, "Repulsion"), POLL).toBe(second);

    const undo = a.getByRole("button", { name: "Undo my last change" });
    await undo.click();
    await expect.poll(() => sliderValue(a, "Repulsion"), POLL).toBe(first);
    await expect.poll(() => sliderValue(b, "Repulsion"), POLL).toBe(first);
    await a.getByText("Your last change is undone").first().waitFor();
    await undo.click();
    await expect.poll(() => sliderValue(a, "Repulsion"), POLL).toBe(original);
    await expect.poll(() => sliderValue(b, "Repulsion"), POLL).toBe(original);

    // A changes the time step, B changes it after: A's undo must not overwrite B's value.
    await slider(a, "Time step").press("Home");
    await expect.poll(() => sliderValue(b, "Time step"), POLL).toBe("0.001");
    await slider(b, "Time step").press("End");
    await expect.poll(() => sliderValue(a, "Time step"), POLL).toBe("0.1");
    await a.getByRole("button", { name: "Undo my last change" }).click();
    const banner = a.getByRole("alert", { name: "Conflict" });
    await banner.getByText(/Not undone:.*Physics › Time step \(now 0\.100 s/).waitFor();
    expect(await sliderValue(a, "Time step")).toBe("0.1");
    expect(await sliderValue(b, "Time step")).toBe("0.1");
  });

  it("takes changes from another backend over the HTTP API", async () => {
    const [a, b] = await people();
    const response = await api("", {
      method: "PATCH",
      body: { set: { "physics.damping": 0.33, "physics.iterations": 640 }, by: "rust-backend" },
    });
    expect(response.status).toBe(200);
    for (const page of [a, b]) {
      await expect.poll(() => sliderValue(page, "Damping"), POLL).toBe("0.33");
      await expect.poll(() => sliderValue(page, "Iterations"), POLL).toBe("640");
      expect(await feedTop(page)).toContain("rust-backend");
    }
    // Validated like any write: out of range is refused, nothing changes.
    const refused = await api("", { method: "PATCH", body: { set: { "physics.damping": 3 } } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "state_invalid_value",
    );
    const preset = await api("/presets/low", { method: "POST" });
    expect(preset.status).toBe(200);
    for (const page of [a, b]) {
      await expect.poll(() => sliderValue(page, "Iterations"), POLL).toBe("50");
    }
    expect(await sliderValue(a, "Damping")).toBe("0.95");
  });

  it("survives a hub restart: Reconnecting, then Live, the screen catches up, queued changes go out", async () => {
    const { apps } = await fixture();
    const [a, b] = await people();
    await fileSettled();
    const current = await app.readFile();

    await apps.stop();
    await Promise.all([badge(a, "Reconnecting"), badge(b, "Reconnecting")]);
    await b.getByText("Real-time sync disconnected").waitFor();
    // A change made while the hub is down waits in B's outbox, shown at once.
    await slider(b, "Max velocity").press("End");
    expect(await sliderValue(b, "Max velocity")).toBe("100");
    // Edited while the hub is down: the new hub loads it, and both pages show it.
    await editFile({ ...current, "physics.damping": 0.61 });
    await apps.start();
    await Promise.all([badge(a, "Live"), badge(b, "Live")]);
    await b.getByText("Real-time sync is back").waitFor();
    for (const page of [a, b]) {
      await expect.poll(() => sliderValue(page, "Damping"), POLL).toBe("0.61");
      await expect.poll(() => sliderValue(page, "Max velocity"), POLL).toBe("100");
    }
    // And the pages keep syncing on the new hub.
    await slider(b, "Gravity").press("Home");
    await expect.poll(() => sliderValue(a, "Gravity"), POLL).toBe("0");
    const { browser } = await fixture();
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
