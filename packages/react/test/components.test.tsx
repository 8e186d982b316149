// @vitest-environment happy-dom
/**
 * The components' props on a real hub, in the test DOM: translated labels, class names, a
 * validation answer that fails and one that succeeds. What they look like and do across two
 * browsers is in browser/components.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  ConnectionBadge,
  DEFAULT_JOB_PROGRESS_LABELS,
  JobProgress,
  type JobProgressLabels,
  PresenceAvatars,
} from "../src/components/index.js";
import { SwitchyardProvider } from "../src/index.js";
import { connect, mount, startHub } from "./harness.js";

const GERMAN: Partial<JobProgressLabels> = {
  status: {
    ...DEFAULT_JOB_PROGRESS_LABELS.status,
    running: "Läuft",
    completed: "Fertig",
  },
  percent: (percent) => `${percent} Prozent`,
  eta: (duration) => `noch ${duration}`,
  chunks: (count, total) => `${count}/${total ?? "?"} Teile`,
  progress: "Fortschritt",
};

const byClass = (container: HTMLElement, name: string) => {
  const found = container.querySelector(`.${name}`);
  if (found === null) throw new Error(`no .${name} in ${container.innerHTML}`);
  return found as HTMLElement;
};

describe("components' props", () => {
  it("JobProgress takes translated labels, duration units and a class name", async () => {
    const hub = await startHub();
    const job = await hub.hub.jobs.create({ visibility: "anyone" });
    const client = connect(hub.url);
    const page = mount(
      <SwitchyardProvider client={client}>
        <JobProgress
          jobId={job.id}
          className="mine"
          labels={GERMAN}
          units={{ hours: "Std.", minutes: "Min.", seconds: "Sek." }}
        />
      </SwitchyardProvider>,
    );
    await page.text("Läuft");
    await job.progress(25, { eta: 150 });
    await job.chunk("a", { index: 0, total: 4 });
    await page.text("1/4 Teile");
    const bar = byClass(page.container, "sy-job__bar");
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    expect(bar.getAttribute("aria-valuetext")).toBe("25 Prozent");
    expect(bar.getAttribute("aria-label")).toBe("Fortschritt");
    expect(byClass(page.container, "sy-job__eta").textContent).toMatch(/^noch 2 Min\. \d+ Sek\.$/);
    expect(byClass(page.container, "sy-job").className).toBe("sy-job sy-job--running mine");

    await job.complete();
    await page.text("Fertig");
    expect(byClass(page.container, "sy-job").className).toBe("sy-job sy-job--completed mine");
    expect(page.container.querySelector(".sy-job__eta")).toBeNull();
  });

  it("keeps the validation buttons when the answer fails, and shows the decision once it went through", async () => {
    const hub = await startHub();
    const job = await hub.hub.jobs.create({ visibility: "anyone" });
    const client = connect(hub.url);
    const answers: string[] = [];
    let fail = true;
    const page = mount(
      <SwitchyardProvider client={client}>
        <JobProgress
          jobId={job.id}
          onValidation={async (decision) => {
            answers.push(decision);
            if (fail) throw new Error("The review service is down");
          }}
        />
      </SwitchyardProvider>,
    );
    await job.requireValidation({ reason: "Check the edges" });
    await page.text("Check the edges");
    const button = (name: string) =>
      Array.from(page.container.querySelectorAll("button")).find((b) => b.textContent === name);
    button("Accept")?.click();
    await page.text("The review service is down");
    expect(button("Accept")?.disabled).toBe(false);
    expect(page.container.textContent).not.toContain("Accepted");

    fail = false;
    button("Accept")?.click();
    await page.text("Accepted");
    expect(answers).toEqual(["accept", "accept"]);
    expect(button("Accept")).toBeUndefined();
    expect(button("Reject")).toBeUndefined();
  });

  it("ConnectionBadge and PresenceAvatars take labels, a title and a class name", async () => {
    const hub = await startHub({ presence: { namespaces: { room: true } } });
    const client = connect(hub.url);
    const page = mount(
      <SwitchyardProvider client={client}>
        <ConnectionBadge
          className="top"
          labels={{ live: "Verbunden" }}
          title={(state) => `Status: ${state.status}`}
        />
        <PresenceAvatars
          channel="room:7"
          className="crew"
          labels={{ here: (count) => `${count} hier`, guest: "Gast" }}
        />
      </SwitchyardProvider>,
    );
    await page.text("Verbunden");
    const badge = byClass(page.container, "sy-badge");
    expect(badge.className).toBe("sy-badge sy-badge--live top");
    expect(badge.title).toBe("Status: connected");
    await page.until(
      () => page.container.querySelector('[aria-label="1 hier"]') !== null,
      () => `the list of one: ${page.container.innerHTML}`,
    );
    expect(byClass(page.container, "sy-avatars").className).toBe("sy-avatars crew");
    expect(byClass(page.container, "sy-avatar").title).toBe("Gast");
  });

  it("PresenceAvatars counts everyone from the hub's count when the channel is count-only", async () => {
    const hub = await startHub({ presence: { namespaces: { room: { cap: 1 } } } });
    const others = [connect(hub.url), connect(hub.url)].map((client) => client.presence("room:9"));
    const page = mount(
      <SwitchyardProvider client={connect(hub.url)}>
        <PresenceAvatars channel="room:9" max={2} />
      </SwitchyardProvider>,
    );
    await page.until(
      () => page.container.querySelector('[aria-label="3 people here"]') !== null,
      () => `three counted: ${page.container.innerHTML}`,
    );
    // Above the cap the hub names nobody: no avatars, all of them in the overflow bubble.
    expect(page.container.querySelectorAll(".sy-avatar:not(.sy-avatar--overflow)")).toHaveLength(0);
    expect(byClass(page.container, "sy-avatar--overflow").title).toBe("3 more");
    for (const presence of others) presence.dispose();
  });
});
