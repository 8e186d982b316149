import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { writeHeapSnapshot } from "node:v8";
import type { Profiler } from "./../control.js";

/** Microseconds between CPU samples (V8's default is 1000). */
const SAMPLING_INTERVAL = 200;

/**
 * A V8 CPU profiler of this process through the inspector, started and stopped by the
 * coordinator around a measured phase, so the profile holds the steady state only (no
 * module loading, no connection ramp); and heap snapshots for the idle-memory scenario.
 */
export function nodeProfiler(): Profiler {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => {
      session.post(method, params ?? {}, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
  return {
    async start() {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL });
      await post("Profiler.start");
    },
    async stop(path) {
      const { profile } = (await post("Profiler.stop")) as { profile: object };
      writeFileSync(path, JSON.stringify(profile));
    },
    heapSnapshot(path) {
      writeHeapSnapshot(path);
    },
  };
}
