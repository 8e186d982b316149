/**
 * One build for every example web app: the launcher (`index.html`) and each `<app>/index.html`
 * of the catalog, as one multi-page Vite build into `dist/`. Pages use relative URLs
 * (`base: "./"`), so the server mounts them anywhere. The workspace's packages are read from
 * their TypeScript sources (the `@switchyard/source` condition), so a change to the SDK or the
 * React bindings shows in the next build without building the packages first.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";
import { APPS } from "./catalog.js";

const root = fileURLToPath(new URL(".", import.meta.url));
/** The catalog's apps whose page exists (the launcher's test checks that every one does). */
const pages = APPS.filter((app) => existsSync(`${root}${app.name}/index.html`));

export default defineConfig({
  root,
  base: "./",
  plugins: [react()],
  resolve: { conditions: ["@switchyard/source", ...defaultClientConditions] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Each app's size is reported by the build and quoted in its README.
    reportCompressedSize: true,
    rolldownOptions: {
      input: {
        launcher: `${root}index.html`,
        ...Object.fromEntries(pages.map((app) => [app.name, `${root}${app.name}/index.html`])),
      },
    },
  },
});
