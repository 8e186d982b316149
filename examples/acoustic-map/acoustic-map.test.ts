import { PassThrough } from "node:stream";
import { createRedisBroker } from "@switchyard/redis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisProcess } from "../../packages/redis/test/helpers/redis-process.js";
import { runAcousticClient } from "./client.js";
import { DEMO_SCENARIO, type Scenario } from "./scenario.js";
import { type AcousticServer, startAcousticServer } from "./server.js";
import { computeRow, gridOver, type Source } from "./spl.js";

const disposers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (disposers.length > 0) await disposers.pop()?.();
});

async function startHub(options: Parameters<typeof startAcousticServer>[0] = {}) {
  const server: AcousticServer = await startAcousticServer(options);
  disposers.push(() => server.close());
  return server;
}

function capture() {
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk) => {
    text += String(chunk);
  });
  return { output, text: () => text };
}

/** The map the hub should have sent, computed here with the same defaults. */
function expectedRows(scenario: Scenario): Float32Array[] {
  const sources: Source[] = scenario.sources.map((source) => ({
    power: 100,
    pattern: "omni",
    angle: 0,
    ...source,
  }));
  const grid = gridOver(scenario.room, scenario.grid.resolution);
  return Array.from({ length: grid.rows }, (_, row) =>
    computeRow(grid, sources, scenario.room, row),
  );
}

// A smaller demo: fewer generations keep the suite fast; three rows per chunk exercise bands.
const quick: Scenario = {
  ...DEMO_SCENARIO,
  grid: { resolution: 0.5, rowsPerChunk: 3 },
  optimizer: { ...DEMO_SCENARIO.optimizer, population: 12, generations: 6, seed: 7 },
};

describe("the terminal client against the example hub (MessagePack)", () => {
  it("streams every row in order, assembles the full grid, then reports each generation", async () => {
    const hub = await startHub();
    const { output, text } = capture();
    const run = await runAcousticClient({ url: hub.url, output, scenario: quick });

    const { map } = run;
    expect(map.reply.grid).toMatchObject({ cols: 40, rows: 28, resolution: 0.5 });
    expect(map.reply.chunks).toBe(10); // 28 rows, 3 per chunk
    expect(map.arrival).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Binary rows survived MessagePack both ways: exactly the float32 values computed here.
    expect(map.rows).toEqual(expectedRows(quick));
    expect(map.rows.every((row) => row instanceof Float32Array && row.length === 40)).toBe(true);
    // NaN outside the room: the 8 × 6 m wing is 16 × 12 cells.
    const outside = map.rows.flatMap((row) => [...row]).filter(Number.isNaN).length;
    expect(outside).toBe(16 * 12);
    expect(map.stats.cells).toBe(40 * 28 - 16 * 12);
    // The client's figures of the assembled grid match the hub's.
    expect(map.stats.min).toBeCloseTo(map.result.stats.min, 4);
    expect(map.stats.max).toBeCloseTo(map.result.stats.max, 4);
    expect(map.stats.mean).toBeCloseTo(map.result.stats.mean, 4);

    const { optimizer } = run;
    expect(optimizer.status).toBe("completed");
    expect(optimizer.reply).toMatchObject({ generations: 6, seed: 7 });
    expect(optimizer.generations.map((report) => report.generation)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(optimizer.result?.convergence).toEqual(optimizer.generations.map((r) => r.best));
    expect(optimizer.generations.at(-1)?.bestConfiguration.map((s) => s.id)).toEqual([
      "main-left",
      "main-right",
      "fill",
    ]);

    const printed = text();
    expect(printed).toMatch(/SPL map .*100% \| rows 28\/28/);
    expect(printed).toMatch(/Optimiser .*100% \| generation 6\/6/);
    expect(printed).toContain(`min ${map.stats.min.toFixed(1)} dB`);
    expect(printed).toContain("completed after 6 of 6 generations");
    expect(printed).toMatch(/\n\s+6\s+-\d+\.\d{3}\s+-\d+\.\d{3}\n/);
  });

  it("stops the optimiser between generations on optimizer.stop", async () => {
    const hub = await startHub();
    const { output, text } = capture();
    const scenario: Scenario = {
      ...quick,
      grid: { resolution: 1 },
      optimizer: { ...quick.optimizer, resolution: 0.5, generations: 500 },
    };
    const run = await runAcousticClient({ url: hub.url, output, scenario, stopAfter: 2 });
    expect(run.optimizer.status).toBe("cancelled");
    expect(run.optimizer.result).toBeNull();
    const count = run.optimizer.generations.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThan(500);
    expect(run.optimizer.generations.map((r) => r.generation)).toEqual(
      Array.from({ length: count }, (_, i) => i + 1),
    );
    // The hub kept the job: cancelled, with no chunk after the stop took effect.
    const job = await hub.hub.jobs.get(run.optimizer.reply.jobId);
    expect(job.status).toBe("cancelled");
    expect(job.chunks.count).toBe(count);
    expect(text()).toContain(`cancelled after ${count} of 500 generations`);
  });

  it("carries the binary rows through the Redis broker too", async () => {
    const redis = await RedisProcess.start();
    disposers.push(() => redis.stop());
    const broker = createRedisBroker({ url: redis.url, prefix: "acoustic-test" });
    disposers.push(() => broker.close());
    const hub = await startHub({ broker });
    const { output } = capture();
    const run = await runAcousticClient({ url: hub.url, output, scenario: quick });
    expect(run.map.arrival).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.map.rows).toEqual(expectedRows(quick));
    expect(run.optimizer.status).toBe("completed");
  });
});
