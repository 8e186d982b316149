import { ensureBuilt } from "./build.js";

/** Vitest's global setup: the example apps are built before any test drives them. */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
