import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SwitchyardError } from "@switchyard/protocol";
import { Hono } from "hono";
import type { InspectorLink } from "./config.js";

/**
 * Where `inspector/build.mjs` puts the inspector and the browser SDK: `dist/inspector` of
 * this package (the same directory whether this module runs from `src` or `dist`).
 */
export const INSPECTOR_DIR = fileURLToPath(new URL("../dist/inspector/", import.meta.url));

/** URL path of the client SDK as one ES module, for `import { createClient } from …`. */
const SDK_PATH = "/sdk/switchyard-client.js";

interface Asset {
  /** Path of the file inside the inspector directory. */
  file: string;
  type: string;
  /** Loadable by pages of other origins (module scripts are fetched with CORS). */
  shared: boolean;
}

const JS = "text/javascript; charset=utf-8";

/** Every file served, by URL path. Nothing else of the directory is reachable. */
const ASSETS: Record<string, Asset> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8", shared: false },
  "/inspector/inspector.js": { file: "inspector/inspector.js", type: JS, shared: false },
  "/inspector/inspector.css": {
    file: "inspector/inspector.css",
    type: "text/css; charset=utf-8",
    shared: false,
  },
  [SDK_PATH]: { file: "sdk/switchyard-client.js", type: JS, shared: true },
  "/sdk/switchyard-client-msgpack.js": {
    file: "sdk/switchyard-client-msgpack.js",
    type: JS,
    shared: true,
  },
};

/** Served at `/` when the inspector was not built (running from source without a build). */
const NOT_BUILT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Switchyard</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto">
<h1>Switchyard</h1>
<p>The hub is running, but the inspector is not built: run <code>npm run build</code>.</p>
<p><a href="stats">stats</a> · <a href="metrics">metrics</a> ·
<a href="api/openapi.json">HTTP API (OpenAPI)</a> · <a href="healthz">healthz</a></p>
</body>
</html>
`;

/** URL path of the links the inspector's header shows (`[{label, url}]`). */
export const LINKS_PATH = "/inspector/links.json";

/**
 * The routes of the web inspector: its page at `/` with its script and styles, the links of
 * its header at `/inspector/links.json`, and the browser SDK at `/sdk/switchyard-client.js`
 * (plus `/sdk/switchyard-client-msgpack.js`), which any origin may import. Files are read on
 * each request, so a rebuild shows at once; browsers revalidate them (`no-cache`).
 *
 * @param dir - the built inspector; {@link INSPECTOR_DIR} by default
 * @param links - the applications beside the hub (`--link`, the config's `links`)
 */
export function createInspectorRoutes(
  dir: string = INSPECTOR_DIR,
  links: readonly InspectorLink[] = [],
): Hono {
  const app = new Hono();
  const linksJson = JSON.stringify(links.map(({ label, url }) => ({ label, url })));
  app.get(LINKS_PATH, (c) =>
    c.body(linksJson, 200, {
      "content-type": "application/json",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    }),
  );
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (c) => {
      let body: string;
      try {
        body = await readFile(join(dir, asset.file), "utf8");
      } catch {
        if (path === "/") return c.html(NOT_BUILT_HTML);
        const error = new SwitchyardError("not_found", `${path} is not built: run 'npm run build'`);
        return c.json({ error: error.toPayload() }, 404);
      }
      const headers: Record<string, string> = {
        "content-type": asset.type,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      };
      if (asset.shared) headers["access-control-allow-origin"] = "*";
      return c.body(body, 200, headers);
    });
  }
  return app;
}
