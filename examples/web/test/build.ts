/**
 * Builds the example apps (`vite build`) when `dist/` is missing or older than a source it is
 * built from: the apps' pages, the catalog and shared code, and the SDK and React packages
 * read from their sources. Run once per test run (vitest's global setup), so the browser tests
 * always drive the pages of the current sources.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const WEB = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = fileURLToPath(new URL("../../../packages/", import.meta.url));
const SOURCES = [
  WEB,
  join(PACKAGES, "client/src"),
  join(PACKAGES, "react/src"),
  join(PACKAGES, "protocol/src"),
];
const SKIP = new Set(["dist", "node_modules", "test"]);

async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, await newest(path));
    else if (!entry.name.endsWith(".test.ts"))
      latest = Math.max(latest, (await stat(path)).mtimeMs);
  }
  return latest;
}

/** Builds `dist/` unless it is newer than every source; resolves with whether it built. */
export async function ensureBuilt(): Promise<boolean> {
  const built = await stat(join(WEB, "dist/index.html")).then(
    (file) => file.mtimeMs,
    () => 0,
  );
  const sources = Math.max(...(await Promise.all(SOURCES.map(newest))));
  if (built > sources) return false;
  const { build } = await import("vite");
  // The pages people get (`npm install` builds them so): React's production build. Vitest sets
  // NODE_ENV to "test", which Vite would follow into a development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: join(WEB, "vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return true;
}
