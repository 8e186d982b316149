import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The budget of the React layer alone, minified and gzipped, with React and the client SDK
 * left to the app's bundle (the SDK has its own budget): the provider, the registry and every
 * hook measured 4.0 KB (16.2 KB with the SDK).
 */
const BUDGET = 4.5 * 1024;

async function bundle(external: string[]) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@switchyard/source"],
    external,
    jsx: "automatic",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return { gzip: gzipSync(code, { level: 9 }).length, inputs };
}

describe("bundle size", () => {
  it(`keeps the React layer under ${BUDGET / 1024} KB min+gzip, React and the SDK outside`, async () => {
    const layer = await bundle([
      "react",
      "react/jsx-runtime",
      "@switchyard/client",
      "@switchyard/protocol",
    ]);
    console.log(`@switchyard/react: ${layer.gzip} bytes min+gzip`);
    expect(
      layer.inputs.every((path) => path.startsWith("src/") || path.includes("packages/react/src/")),
    ).toBe(true);
    expect(layer.gzip).toBeLessThan(BUDGET);
  });

  it("pulls nothing of Node or `ws` into the browser bundle with the SDK", async () => {
    const whole = await bundle(["react", "react/jsx-runtime"]);
    console.log(`@switchyard/react with the SDK: ${whole.gzip} bytes min+gzip`);
    expect(whole.inputs.some((path) => path.includes("packages/client/src/"))).toBe(true);
    expect(whole.inputs.some((path) => path.includes("node_modules/ws/"))).toBe(false);
    expect(whole.inputs.some((path) => path.startsWith("node:"))).toBe(false);
  });
});
