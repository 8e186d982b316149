/**
 * One clock for every process of a run: CLOCK_MONOTONIC through `process.hrtime`, which is
 * system-wide on Linux, so a timestamp taken in the server process can be compared with one
 * taken in a load-generator process. Node and Bun both implement `process.hrtime`.
 */
export function nowMicros(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}

/** Resolves after `ms` milliseconds (pacing only, never to wait for an event). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
