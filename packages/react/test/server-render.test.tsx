// @vitest-environment node
/**
 * Server rendering: without a DOM (no `window`, no `document`), importing the package and
 * rendering every hook under a provider given options creates no client and shows the
 * disconnected, empty state.
 */
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SwitchyardProvider } from "../src/index.js";
import { Everything } from "./everything.js";

/** The text of the server's HTML, without React's text separators. */
function render(ui: Parameters<typeof renderToString>[0]): string {
  return renderToString(ui).replaceAll("<!-- -->", "");
}

describe("server rendering", () => {
  it("renders every hook's server snapshot, with no window and no client", () => {
    expect(typeof window).toBe("undefined");
    const html = render(
      <SwitchyardProvider options={{ url: "ws://127.0.0.1:1/ws" }}>
        <Everything />
      </SwitchyardProvider>,
    );
    expect(html).toContain("connection=disconnected/idle");
    expect(html).toContain("channel=subscribing latest=none list=0");
    expect(html).toContain("job=none 0%");
    expect(html).toContain("jobs=loading");
    expect(html).toContain("state=loading damping=unset");
    expect(html).toContain("presence=0");
    expect(html).toContain("rpc=idle");
  });
});
