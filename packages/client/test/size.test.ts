import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The budget of the core, minified and gzipped: 10 KB held the connection, subscriptions and
 * jobs; the synced state store (`client.state`) adds about 1.4 KB, the presence
 * store (`client.presence`) about 0.9 KB.
 */
const BUDGET = 13 * 1024;

async function bundle(entry: string) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@switchyard/source"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  // Files that contributed code (the metafile's `inputs` also lists tree-shaken ones).
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return { gzip: gzipSync(code, { level: 9 }).length, inputs };
}

describe("bundle size", () => {
  it(`keeps the browser core under ${BUDGET / 1024} KB min+gzip, without MessagePack`, async () => {
    const core = await bundle("../src/index.ts");
    expect(core.inputs.some((path) => path.includes("msgpackr"))).toBe(false);
    expect(core.inputs.some((path) => path.includes("node_modules/ws/"))).toBe(false);
    expect(core.inputs.some((path) => path.startsWith("node:"))).toBe(false);
    expect(core.gzip).toBeLessThan(BUDGET);
  });

  it("puts MessagePack in the optional subpath", async () => {
    const msgpack = await bundle("../src/msgpack.ts");
    expect(msgpack.inputs.some((path) => path.includes("msgpackr"))).toBe(true);
  });
});
