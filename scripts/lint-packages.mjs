#!/usr/bin/env node
// @ts-check
// `npm run lint:packages`: every published package (each workspace that is not private),
// packed as npm would publish it, checked by publint (package.json against the packed files)
// and by Are the Types Wrong (each entry point's types resolve as its JavaScript does). Run it
// after `npm run build`: the tarballs hold dist/.
//
// The packages are ES modules only: Node 20.19+ loads them with `import` and `require()` alike,
// so attw's "a require call resolves to an ES module" is what we mean, not a mistake; and
// TypeScript's `node10` resolution, which ignores `exports`, is not supported (profile node16).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** @param {string} dir */
const manifest = (dir) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));

/** @type {string[]} */
const workspaces = manifest(".").workspaces;
const published = workspaces.filter((dir) => manifest(dir).private !== true);

const checks = [
  { tool: "publint", args: ["--strict"] },
  {
    tool: "attw",
    args: [
      "--pack",
      ".",
      "--profile",
      "node16",
      "--ignore-rules",
      "cjs-resolves-to-esm",
      "--no-color",
    ],
  },
];

const failed = [];
for (const dir of published) {
  for (const { tool, args } of checks) {
    console.log(`\n${tool} ${dir}`);
    const result = spawnSync(join(root, "node_modules/.bin", tool), args, {
      cwd: join(root, dir),
      stdio: "inherit",
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (result.status !== 0) failed.push(`${tool} ${dir}`);
  }
}

console.log(
  failed.length === 0
    ? `\n${published.length} packages pass publint and attw: ${published.join(", ")}`
    : `\nfailed: ${failed.join(", ")}`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
