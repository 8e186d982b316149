import { describe, expect, it } from "vitest";
import { createHttpApi } from "../../../src/index.js";
import { startHub } from "../../helpers/fixtures.js";
import { client, JOB_HUB, sessionOf } from "./helpers.js";

const API_KEY = "jobs-test-key";

async function setup() {
  const fixture = await startHub(JOB_HUB);
  const api = createHttpApi(fixture.hub, { apiKey: API_KEY });
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${API_KEY}` } };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const response = await api.request(path, init);
    return { status: response.status, json: await response.json() };
  };
  const post = (path: string, body?: unknown) => call("POST", path, body);
  return { ...fixture, call, post };
}

function expectError(
  response: { status: number; json: { error?: { code: string; details?: unknown } } },
  status: number,
  code: string,
) {
  expect(response.json.error?.code).toBe(code);
  expect(response.status).toBe(status);
}

describe("the job routes of the HTTP API", () => {
  it("let a worker run a job that a WebSocket subscriber watches from queued to completed", async () => {
    const { url, post, call } = await setup();
    const created = await post("/api/jobs", {
      id: "w1",
      owner: { userId: "ada" },
      meta: { algorithm: "sieve" },
      queued: true,
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ id: "w1", status: "queued", owner: { userId: "ada" } });
    const ada = await client(url, "ada");
    const subscribed = await ada.request({ type: "subscribe", channel: "job:w1" });
    expect(subscribed.result).toMatchObject({ snapshot: { status: "queued" } });

    expect((await post("/api/jobs/w1/start")).json).toEqual({
      id: "w1",
      status: "running",
      cancelRequested: false,
      percent: 0,
    });
    const progress = await post("/api/jobs/w1/progress", { percent: 50, step: "sieve", eta: 3 });
    expect(progress.json).toEqual({
      id: "w1",
      status: "running",
      cancelRequested: false,
      percent: 50,
    });
    await post("/api/jobs/w1/chunk", { index: 0, total: 2, data: [2, 3, 5] });
    await post("/api/jobs/w1/chunk", { index: 1, total: 2, data: [7, 11] });
    await post("/api/jobs/w1/validation", { reason: "check", confidence: 0.6 });
    const done = await post("/api/jobs/w1/complete", { result: { primes: 5 } });
    expect(done.json).toMatchObject({ status: "completed", percent: 100 });

    await ada.next((f) => f.type === "event" && f.event === "completed");
    expect(ada.events("job:w1").map((f) => f.event)).toEqual([
      "started",
      "progress",
      "chunk",
      "chunk",
      "validation_required",
      "completed",
    ]);
    const snapshot = await call("GET", "/api/jobs/w1");
    expect(snapshot.json).toMatchObject({
      status: "completed",
      result: { primes: 5 },
      validation: { reason: "check", confidence: 0.6, suggestedActions: [] },
      chunks: {
        count: 2,
        items: [
          { index: 0, data: [2, 3, 5] },
          { index: 1, data: [7, 11] },
        ],
      },
    });
    const list = await call("GET", "/api/jobs?userId=ada");
    expect(list.json.jobs.map((job: { id: string }) => job.id)).toEqual(["w1"]);
  });

  it("tell a worker in its next report that cancellation was requested", async () => {
    const { url, post } = await setup();
    // The browser connects first: the backend learns its session id from it.
    const owner = await client(url, null);
    await post("/api/jobs", { id: "w2", owner: { sessionId: sessionOf(owner) } });
    await post("/api/jobs/w2/progress", { percent: 10 });
    await owner.request({ type: "subscribe", channel: "job:w2" });
    const cancel = await post("/api/jobs/w2/cancel", { reason: "user left" });
    expect(cancel.json).toMatchObject({ status: "cancelling", cancelRequested: true });
    const next = await post("/api/jobs/w2/progress", { percent: 20 });
    expect(next.json).toMatchObject({ status: "cancelling", cancelRequested: true });
    const stopped = await post("/api/jobs/w2/cancelled");
    expect(stopped.json).toMatchObject({ status: "cancelled" });
    await owner.next((f) => f.type === "event" && f.event === "cancelled");
    expect(owner.events("job:w2").map((f) => f.event)).toEqual([
      "cancel_requested",
      "progress",
      "cancelled",
    ]);
  });

  it("fail a job with the worker's message, code and retryable flag", async () => {
    const { post, call } = await setup();
    await post("/api/jobs", { id: "w3" });
    const failed = await post("/api/jobs/w3/fail", {
      message: "GPU memory insufficient",
      code: "CUDA_OUT_OF_MEMORY",
      retryable: true,
    });
    expect(failed.json).toMatchObject({ status: "failed" });
    expect((await call("GET", "/api/jobs/w3")).json.error).toEqual({
      message: "GPU memory insufficient",
      code: "CUDA_OUT_OF_MEMORY",
      retryable: true,
    });
  });
});

describe("bad input on the job routes", () => {
  it("answers each with its status and code", async () => {
    const { post, call } = await setup();
    await post("/api/jobs", { id: "b" });
    await post("/api/jobs/b/progress", { percent: 50 });
    await post("/api/jobs/b/chunk", { index: 0, total: 2, data: "a" });

    expectError(await post("/api/jobs/b/progress", { percent: 150 }), 422, "invalid_progress");
    expectError(await post("/api/jobs/b/progress", { percent: 40 }), 422, "invalid_progress");
    expectError(await post("/api/jobs/b/progress", { percent: "60" }), 400, "invalid_body");
    expectError(await post("/api/jobs/b/progress", {}), 400, "invalid_body");
    expectError(await post("/api/jobs/b/progress", { percent: 60, pct: 1 }), 400, "invalid_body");
    expectError(await post("/api/jobs/b/progress", "{nope"), 400, "invalid_body");
    expectError(
      await post("/api/jobs/b/chunk", { index: 0, data: "again" }),
      409,
      "duplicate_chunk",
    );
    expectError(await post("/api/jobs/b/chunk", { index: 5, data: "x" }), 422, "invalid_chunk");
    expectError(
      await post("/api/jobs/b/chunk", { index: 1, total: 3, data: "x" }),
      422,
      "invalid_chunk",
    );
    expectError(
      await post("/api/jobs/b/chunk", { index: 1, data: "x".repeat(300 * 1024) }),
      413,
      "message_too_large",
    );
    expectError(await post("/api/jobs/b/validation", { confidence: 0.5 }), 400, "invalid_body");
    expectError(await post("/api/jobs/b/fail", {}), 400, "invalid_body");
    expectError(await post("/api/jobs", { id: "b" }), 409, "job_exists");
    // A refused value gets the job's own code, as through every API.
    expectError(await post("/api/jobs", { visibility: "public" }), 422, "invalid_data");
    expectError(await post("/api/jobs", { owner: { userId: "a b" } }), 422, "invalid_data");
    expectError(await post("/api/jobs", { id: "a b" }), 422, "invalid_data");
    expectError(
      await post("/api/jobs/b/progress", { percent: 60, step: "s".repeat(201) }),
      422,
      "invalid_progress",
    );
    expectError(await post("/api/jobs", { visibility: 5 }), 400, "invalid_body");

    await post("/api/jobs/b/complete", { result: 1 });
    expectError(await post("/api/jobs/b/complete", { result: 2 }), 409, "job_finished");
    expectError(await post("/api/jobs/b/progress", { percent: 100 }), 409, "job_finished");
    expectError(await post("/api/jobs/b/cancel"), 409, "job_finished");

    expectError(await call("GET", "/api/jobs/nope"), 404, "job_not_found");
    expectError(await post("/api/jobs/nope/progress", { percent: 1 }), 404, "job_not_found");
    expectError(await post("/api/jobs/nope/cancel"), 404, "job_not_found");
    expectError(await call("GET", "/api/jobs/bad%20id"), 404, "job_not_found");
    expectError(await call("GET", "/api/jobs"), 400, "invalid_body");
    expectError(await call("GET", "/api/jobs?userId=a&sessionId=b"), 400, "invalid_body");
    expect((await call("GET", "/api/jobs/b")).json).toMatchObject({
      status: "completed",
      result: 1,
    });
  });
});
