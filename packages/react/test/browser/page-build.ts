/**
 * The components' test page: `page.tsx` (React, the components and the SDK, bundled from
 * their sources by esbuild) and the default stylesheet, in a temporary directory. Another
 * entry, another React (an install of an older version) and a server-side entry may be given.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

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

/** What to bundle, when not `page.tsx` with the workspace's React. */
export interface PageOptions {
  /**
   * The page's entry file.
   * @default "page.tsx" beside this file
   */
  entry?: string;
  /**
   * A `node_modules` directory holding `react` and `react-dom`: every import of them (and of
   * their subpaths, `react-dom/client`, `react/jsx-runtime`, ...) resolves there.
   * @default the workspace's React
   */
  react?: string;
  /**
   * An entry bundled for Node (CommonJS, with the same React) as `server.cjs` beside the page,
   * for a test to render the page's markup on the server; not served.
   * @default none
   */
  server?: string;
}

/** Builds the page into a new temporary directory; returns it and the function that removes it. */
export async function buildPage(
  options: PageOptions = {},
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-react-page-"));
  const react = options.react;
  const shared: BuildOptions = {
    bundle: true,
    target: "es2022",
    jsx: "automatic",
    conditions: ["@switchyard/source"],
    define: { "process.env.NODE_ENV": '"development"' },
    logLevel: "warning",
    ...(react === undefined
      ? {}
      : {
          alias: { react: join(react, "react"), "react-dom": join(react, "react-dom") },
          nodePaths: [react],
        }),
  };
  try {
    await build({
      ...shared,
      entryPoints: [options.entry ?? ENTRY],
      outfile: join(dir, "page.js"),
      format: "esm",
      platform: "browser",
    });
    if (options.server !== undefined) {
      await build({
        ...shared,
        entryPoints: [options.server],
        outfile: join(dir, "server.cjs"),
        format: "cjs",
        platform: "node",
      });
    }
    await copyFile(STYLES, join(dir, "styles.css"));
    await writeFile(join(dir, "index.html"), HTML);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
