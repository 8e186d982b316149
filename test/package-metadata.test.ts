/**
 * What npm shows and resolvers read of every published package (each workspace that is not
 * private): one license shipped with each, one repository with the package's folder, the
 * Node versions of the root, types for every entry point, and names under the one scope.
 * `npm run lint:packages` (publint, Are the Types Wrong) checks the packed files against them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./command.js";

interface Manifest {
  name: string;
  private?: boolean;
  description?: string;
  keywords?: string[];
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  type?: string;
  /** False, or the stylesheets only (a CSS import is all side effect). */
  sideEffects?: boolean | string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  /** Conditions per entry point; a stylesheet is a plain path. */
  exports?: Record<string, Record<string, string> | string>;
  files?: string[];
  workspaces?: string[];
}

const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as Manifest;

const root = manifest(".");
const published = (root.workspaces ?? []).filter((dir) => manifest(dir).private !== true);

it("publishes the six packages", () => {
  expect(published.map((dir) => manifest(dir).name).sort()).toEqual([
    "@switchyard/cli",
    "@switchyard/client",
    "@switchyard/protocol",
    "@switchyard/react",
    "@switchyard/redis",
    "@switchyard/server",
  ]);
});

describe.each(published)("%s", (dir) => {
  const pkg = manifest(dir);

  it("says what it is, under the MIT license it ships", () => {
    expect(pkg.description).toMatch(/^Switchyard /);
    expect(pkg.keywords).toContain("switchyard");
    expect(pkg.license).toBe("MIT");
    // npm packs a package's own LICENSE file, never the repository's.
    expect(readFileSync(join(ROOT, dir, "LICENSE"), "utf8")).toBe(
      readFileSync(join(ROOT, "LICENSE"), "utf8"),
    );
    expect(existsSync(join(ROOT, dir, "README.md"))).toBe(true);
  });

  it("points at its folder of the one repository", () => {
    expect(pkg.repository).toEqual({
      type: "git",
      url: manifest(published[0] ?? "").repository?.url,
      directory: dir,
    });
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
  });

  it("is an ES module without side effects, for the Node versions of the root", () => {
    expect(pkg.type).toBe("module");
    const stylesheets = Object.values(pkg.exports ?? {}).filter(
      (entry) => typeof entry === "string",
    );
    expect(pkg.sideEffects).toEqual(stylesheets.length === 0 ? false : stylesheets);
    expect(pkg.engines).toEqual(root.engines);
  });

  it("gives every entry point its types and its built JavaScript, and ships them", () => {
    const entries = Object.entries(pkg.exports ?? {});
    expect(entries.length).toBeGreaterThan(0);
    for (const [, conditions] of entries) {
      if (typeof conditions === "string") {
        // A stylesheet: shipped as it is, from the package's root.
        expect(conditions).toMatch(/^\.\/[a-z-]+\.css$/);
        expect(existsSync(join(ROOT, dir, conditions))).toBe(true);
        expect(pkg.files).toContain(conditions.slice(2));
        continue;
      }
      expect(Object.keys(conditions)).toEqual(["@switchyard/source", "types", "default"]);
      expect(conditions.types).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect(conditions.default).toBe(conditions.types?.replace(/\.d\.ts$/, ".js"));
    }
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "src"]));
  });
});

it("runs the standalone hub as the `switchyard` command", () => {
  const cli = manifest("packages/cli");
  expect(cli.bin).toEqual({ switchyard: "./bin/switchyard.js" });
  expect(cli.files).toContain("bin");
});
