#!/usr/bin/env node
// @ts-check
/**
 * Builds what `switchyard serve` serves to browsers, into `dist/inspector/` (or `--outdir`):
 *
 *   index.html                        the inspector page, served at `/`
 *   inspector/inspector.js, .css      its script and styles
 *   sdk/switchyard-client.js          the client SDK as one ES module (`/sdk/switchyard-client.js`)
 *   sdk/switchyard-client-msgpack.js  its MessagePack codec (`@switchyard/client/msgpack`)
 *
 * The inspector is built on the served SDK: its imports of `@switchyard/client` stay imports
 * of `../sdk/switchyard-client.js`, so the page runs exactly the bundle other pages import.
 *
 * Usage: node inspector/build.mjs [--outdir <dir>]
 */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Where each SDK entry point lands, relative to the output directory. */
const SDK_FILES = {
  "@switchyard/client": "sdk/switchyard-client.js",
  "@switchyard/client/msgpack": "sdk/switchyard-client-msgpack.js",
};

/** @type {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  // Bundle the packages' sources, so the build needs no earlier `tsc` output.
  conditions: ["@switchyard/source"],
  logLevel: "warning",
};

/**
 * Keeps the inspector's SDK imports as imports of the served bundles, relative to
 * `inspector/inspector.js`.
 * @type {import("esbuild").Plugin}
 */
const servedSdk = {
  name: "served-sdk",
  setup(plugin) {
    plugin.onResolve({ filter: /^@switchyard\/client(\/msgpack)?$/ }, (args) => ({
      path: `../${SDK_FILES[/** @type {keyof typeof SDK_FILES} */ (args.path)]}`,
      external: true,
    }));
  },
};

/**
 * Builds the inspector and the browser SDK into `outdir`.
 * @param {string} outdir
 */
export async function buildInspector(outdir) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(join(outdir, "inspector"), { recursive: true });
  await Promise.all([
    ...Object.entries(SDK_FILES).map(([entry, file]) =>
      build({ ...common, entryPoints: [entry], outfile: join(outdir, file), absWorkingDir: here }),
    ),
    build({
      ...common,
      entryPoints: [join(here, "main.ts")],
      outfile: join(outdir, "inspector/inspector.js"),
      plugins: [servedSdk],
    }),
    copyFile(join(here, "index.html"), join(outdir, "index.html")),
    copyFile(join(here, "inspector.css"), join(outdir, "inspector/inspector.css")),
  ]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: "string" } } });
  const outdir = resolve(values.outdir ?? join(here, "../dist/inspector"));
  await buildInspector(outdir);
  process.stdout.write(`inspector built into ${outdir}\n`);
}
