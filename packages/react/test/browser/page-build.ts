/**
 * The components' test page: `page.tsx` (React, the components and the SDK, bundled from
 * their sources by esbuild) and the default stylesheet, in a temporary directory.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./page.tsx", import.meta.url));
const STYLES = fileURLToPath(new URL("../../styles.css", import.meta.url));

const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Switchyard components</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="styles.css" />
    <style>
      body { margin: 0; padding: 24px; background: #f3f4f6; font-family: system-ui, sans-serif; }
      main { display: grid; gap: 16px; max-width: 460px; }
      .row { display: flex; align-items: center; gap: 12px; }
    </style>
  </head>
  <body>
    <main id="root"></main>
    <script type="module" src="page.js"></script>
  </body>
</html>
`;

/** Builds the page into a new temporary directory; returns it and the function that removes it. */
export async function buildPage(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-react-page-"));
  try {
    await build({
      entryPoints: [ENTRY],
      outfile: join(dir, "page.js"),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      jsx: "automatic",
      conditions: ["@switchyard/source"],
      define: { "process.env.NODE_ENV": '"development"' },
      logLevel: "warning",
    });
    await copyFile(STYLES, join(dir, "styles.css"));
    await writeFile(join(dir, "index.html"), HTML);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
