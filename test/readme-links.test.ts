/**
 * Every relative link and picture of the README points at a file or folder of the repository
 * (the example apps' screenshots included): a renamed file cannot leave a dead link behind.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { APPS } from "../examples/web/catalog.js";
import { ROOT } from "./command.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

it("links only to files that exist", () => {
  const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target = ""]) => target)
    .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith("#"));
  expect(targets.length).toBeGreaterThan(20);
  for (const target of targets) {
    expect(existsSync(join(ROOT, target.split("#")[0] ?? "")), target).toBe(true);
  }
});

it("shows a screenshot of every example app", () => {
  for (const app of APPS) expect(README).toContain(`](docs/images/${app.name}.png)`);
});
