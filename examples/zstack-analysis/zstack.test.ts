import { Writable } from "node:stream";
import { createClient, type JobState, type ReceivedEvent } from "@switchyard/client";
import { afterEach, describe, expect, it } from "vitest";
import { type AnalysisResult, STEPS } from "./analysis.js";
import { runTerminalClient } from "./client.js";
import { NOISY_PARAMETERS } from "./schemas.js";
import { startZstackHub, WAITING_STEP, type ZstackHub } from "./server.js";
import { STATUS_CHANNEL, type SystemStatus } from "./system-status.js";

const disposers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

async function start(options: Parameters<typeof startZstackHub>[0] = {}): Promise<ZstackHub> {
  const hub = await startZstackHub({ port: 0, ...options });
  disposers.push(() => hub.close());
  return hub;
}

/** A stream that keeps what is written to it. */
function capture() {
  let text = "";
  const output = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { output, text: () => text };
}

/** Resolves when `test` holds for a job state seen by `onUpdate`. */
function watchFor(test: (state: JobState) => boolean) {
  let resolve: () => void = () => {};
  const seen = new Promise<void>((done) => {
    resolve = done;
  });
  return { seen, onUpdate: (state: JobState) => test(state) && resolve() };
}

/** A second client that starts an analysis which holds the hub's only worker slot. */
async function occupyWorker(url: string) {
  const client = createClient({ url });
  disposers.push(() => client.close());
  const { jobId } = (await client.rpc("analysis.start", { sliceDelayMs: 50 })) as {
    jobId: string;
  };
  return { cancel: () => client.rpc("job.cancel", { id: jobId }) };
}

describe("examples/zstack-analysis", () => {
  it("runs an analysis from the terminal client: progress 0 → 100, steps in order, the objects table", async () => {
    const hub = await start({ workers: 1 });
    // The only worker is busy, so the analysis waits at 0 % until the test frees it.
    const busy = await occupyWorker(hub.url);
    const waiting = watchFor((state) => state.step === WAITING_STEP);
    const { output, text } = capture();
    const run = runTerminalClient({ url: hub.url, output, onUpdate: waiting.onUpdate });
    await waiting.seen;
    await expect(hub.status.publish()).resolves.toMatchObject({ queueLength: 1, activeJobs: 1 });
    await busy.cancel();
    const { state, updates, jobId } = await run;

    expect(state.status).toBe("completed");
    expect(updates[0]).toEqual({ percent: 0, step: WAITING_STEP });
    expect(updates.at(-1)?.percent).toBe(100);
    const percents = updates.map((update) => update.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // Steps show up in order, from the wait to the last step. (A burst of progress can reach
    // the client conflated to its newest value, so a short step's progress may not show.)
    const order = [WAITING_STEP, ...STEPS.map((step) => step.name)];
    const steps = updates.map((update) => order.indexOf(update.step ?? ""));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(STEPS.length);
    // Every step ran, in order: one summary chunk each (chunks are never dropped).
    expect(state.chunks.map((chunk) => (chunk.data as { step: string }).step)).toEqual(
      STEPS.map((step) => step.name),
    );

    const result = state.result as AnalysisResult;
    expect(result.objects).toHaveLength(8);
    expect(result.validationRequired).toBe(false);
    expect(state.validation).toBeNull();
    const printed = text();
    expect(printed).toContain(`Analysis ${jobId} completed`);
    expect(printed).toContain("8 objects (8 blobs planted)");
    expect(printed).toMatch(/#\s+voxels\s+volume µm³\s+centroid x, y, z\s+bounds x, y, z\s+mean/);
    expect(printed.trimEnd().split("\n").at(-1)).toMatch(/^8\s+\d+/);
    for (const step of STEPS) expect(printed).toContain(`✓ ${step.name}`);
  });

  it("draws the progress bar with the step and the ETA even off a terminal when asked", async () => {
    const hub = await start();
    const { output, text } = capture();
    await runTerminalClient({ url: hub.url, output, bar: "always" });
    expect(text()).toMatch(/100% \| Object metrics \| ETA 0:00/);
    for (const step of STEPS) expect(text()).toContain(`✓ ${step.name}`);
  });

  it("raises validation_required below 0.7 confidence, and the client shows it", async () => {
    const hub = await start();
    const { output, text } = capture();
    const { state } = await runTerminalClient({ url: hub.url, output, input: NOISY_PARAMETERS });
    expect(state.status).toBe("completed");
    expect(state.validation?.confidence).toBeLessThan(0.7);
    expect(state.validation?.suggestedActions).toContain("Review segmentation boundaries");
    expect((state.result as AnalysisResult).validationRequired).toBe(true);
    expect(text()).toContain("! Review needed: Confidence");
  });

  it("cancels the job when the terminal client's signal aborts; the analysis stops", async () => {
    const hub = await start();
    const controller = new AbortController();
    const blurring = watchFor((state) => state.step === "Gaussian blur");
    void blurring.seen.then(() => controller.abort());
    const { output, text } = capture();
    const { state, jobId } = await runTerminalClient({
      url: hub.url,
      output,
      signal: controller.signal,
      onUpdate: blurring.onUpdate,
      input: { sliceDelayMs: 5 },
    });
    expect(state).toMatchObject({ status: "cancelled", cancelRequested: true, result: null });
    expect(state.percent).toBeLessThan(50);
    expect(state.chunks).toHaveLength(1);
    expect(text()).toContain(`Analysis ${jobId} cancelled`);
    await expect(hub.hub.jobs.get(jobId)).resolves.toMatchObject({ status: "cancelled" });
  });

  it("refuses bad parameters with invalid_data naming the parameter", async () => {
    const hub = await start();
    const { output } = capture();
    const error = await runTerminalClient({ url: hub.url, output, input: { noise: 5 } }).catch(
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: "invalid_data" });
    expect(JSON.stringify((error as { details?: unknown }).details)).toContain('"noise"');
  });

  it("publishes the system status on system:status on its interval; a late joiner gets the last one at once", async () => {
    const hub = await start({ statusInterval: 20 });
    const client = createClient({ url: hub.url });
    disposers.push(() => client.close());
    const statuses: SystemStatus[] = [];
    const enough = new Promise<void>((resolve) => {
      client.subscribe(STATUS_CHANNEL, {
        onEvent: (event: ReceivedEvent) => {
          statuses.push(event.data as SystemStatus);
          if (statuses.length === 3) resolve();
        },
      });
    });
    await enough;
    for (const status of statuses) {
      expect(status).toMatchObject({ queueLength: 0, activeJobs: 0 });
      expect(status.cpu.cores).toBeGreaterThan(0);
      expect(status.memory.rssMiB).toBeGreaterThan(0);
    }
    expect(statuses[2]!.timestamp).toBeGreaterThanOrEqual(statuses[0]!.timestamp);

    const late = createClient({ url: hub.url });
    disposers.push(() => late.close());
    const subscription = late.subscribe(STATUS_CHANNEL);
    const snapshot = await new Promise<unknown>((resolve) => {
      subscription.state.subscribe(() => {
        const state = subscription.state.getSnapshot();
        if (state.status === "subscribed") resolve(state.snapshot);
      });
    });
    expect(snapshot).toMatchObject({ queueLength: 0, cpu: { cores: statuses[0]!.cpu.cores } });
  });
});
