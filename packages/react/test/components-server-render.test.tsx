// @vitest-environment node
/**
 * The components rendered on a server (no DOM, no client): the offline badge, a job loading,
 * nobody present — markup a page can hydrate, with its ARIA in place.
 */
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ConnectionBadge, JobProgress, PresenceAvatars } from "../src/components/index.js";
import { SwitchyardProvider } from "../src/index.js";

describe("components on the server", () => {
  it("render their state before a client exists", () => {
    expect(typeof window).toBe("undefined");
    const html = renderToString(
      <SwitchyardProvider options={{ url: "ws://127.0.0.1:1/ws" }}>
        <ConnectionBadge />
        <JobProgress jobId="j1" name="Segmentation" />
        <PresenceAvatars channel="room:1" />
      </SwitchyardProvider>,
    ).replaceAll("<!-- -->", "");
    expect(html).toContain(
      'class="sy-badge sy-badge--offline" data-status="disconnected" title="idle"',
    );
    expect(html).toContain('role="status" aria-live="polite">Offline</span>');
    expect(html).toContain(
      'class="sy-job sy-job--loading" aria-label="Segmentation" aria-busy="false"',
    );
    expect(html).toContain(
      'role="progressbar" aria-label="Segmentation" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"',
    );
    expect(html).toContain(">Loading…</span>");
    expect(html).toContain('<ul class="sy-avatars__list" aria-label="0 people here"></ul>');
    expect(html).not.toContain("Cancel");
  });
});
