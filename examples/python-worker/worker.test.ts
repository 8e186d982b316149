import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createLogger, resolveConfig, type ServerHandle, startServer } from "@switchyard/cli";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RawClient } from "../../packages/server/test/helpers/fixtures.js";

const SCRIPT = fileURLToPath(new URL("./worker.py", import.meta.url));
const API_KEY = "python-worker-key";

/** Runs the worker to its end: exit code and its JSON lines. */
function work(server: ServerHandle, args: string[]) {
  return new Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }>(
    (resolve) => {
      execFile(
        "python3",
        [SCRIPT, "--url", server.url, "--api-key", API_KEY, ...args],
        (error, stdout, stderr) => {
          const code = error ? ((error as { code?: number }).code ?? 1) : 0;
          const lines = stdout
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line) as Record<string, unknown>);
          resolve({ code, lines, stderr });
        },
      );
    },
  );
}

describe("examples/python-worker", () => {
  let server: ServerHandle;

  /**
   * A browser tab (the hub's raw test client) and the session the hub gave it, which the
   * browser would tell its backend.
   */
  async function browserTab() {
    const tab = new RawClient(server.wsUrl);
    const { sessionId } = await tab.connect();
    return { tab, sessionId: sessionId as string };
  }

  /** What a web backend does: create a queued job owned by the browser's session. */
  async function createJob(sessionId: string): Promise<string> {
    const response = await fetch(`${server.url}/api/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        owner: { sessionId },
        queued: true,
        meta: { task: "primes" },
      }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  }

  async function watcher() {
    const { tab, sessionId } = await browserTab();
    const jobId = await createJob(sessionId);
    const reply = await tab.request({ type: "subscribe", channel: `job:${jobId}` });
    expect(reply.result).toMatchObject({ snapshot: { id: jobId, status: "queued" } });
    return { tab, jobId };
  }

  beforeEach(async () => {
    const config = resolveConfig({ flags: { port: 0, apiKey: API_KEY, allowAnonymous: true } });
    server = await startServer(config, { logger: createLogger("silent") });
  });

  afterEach(async () => {
    await server.close();
  });

  it("counts primes as a job that a WebSocket subscriber watches from start to result", async () => {
    const { tab, jobId } = await watcher();
    const run = await work(server, ["--job-id", jobId, "--limit", "2000000", "--segments", "20"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toEqual({
      status: "completed",
      id: jobId,
      limit: 2_000_000,
      primes: 148_933,
      segments: 20,
    });

    await tab.next((f) => f.type === "event" && f.event === "completed");
    const events = tab.events(`job:${jobId}`);
    const names = events.map((f) => f.event);
    expect(names[0]).toBe("started");
    expect(names.at(-1)).toBe("completed");
    expect(names).toContain("progress");
    const offsets = events.map((f) => f.offset as number);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    // The chunks arrive in order and assemble into the whole result.
    const chunks = events
      .filter((f) => f.event === "chunk")
      .map((f) => f.data as { index: number; data: { count: number } });
    expect(chunks.map((chunk) => chunk.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(chunks.reduce((sum, chunk) => sum + chunk.data.count, 0)).toBe(148_933);
    const percents = events
      .filter((f) => f.event === "progress")
      .map((f) => (f.data as { percent: number }).percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)?.data).toMatchObject({ result: { primes: 148_933 } });
  });

  it("stops with cancelled when the job's owner cancels it mid-run", async () => {
    const { tab, jobId } = await watcher();
    const running = work(server, [
      "--job-id",
      jobId,
      "--limit",
      "4000000",
      "--segments",
      "400",
      "--pause",
      "0.05",
    ]);
    await tab.next((f) => f.type === "event" && f.event === "chunk");
    const cancel = await tab.request({ type: "rpc", method: "job.cancel", data: { id: jobId } });
    expect(cancel.result).toMatchObject({ id: jobId, cancelRequested: true });

    const run = await running;
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({ status: "cancelled", id: jobId });
    const cancelled = await tab.next((f) => f.type === "event" && f.event === "cancelled");
    expect((cancelled.data as { reason: string }).reason).toMatch(/^stopped after \d+ segments$/);
    const names = tab.events(`job:${jobId}`).map((f) => f.event);
    expect(names.indexOf("cancel_requested")).toBeGreaterThan(names.indexOf("chunk"));
    expect(names.at(-1)).toBe("cancelled");
    expect(names.filter((name) => name === "chunk").length).toBeLessThan(400);
  });
});
