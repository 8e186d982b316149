import { isValidId, SwitchyardError } from "@switchyard/protocol";
import type { Context, Hono } from "hono";
import type { Hub } from "../../core/hub-api.js";
import {
  jobBody,
  parseChunk,
  parseComplete,
  parseCreateJob,
  parseFail,
  parseListQuery,
  parseProgress,
  parseReason,
  parseValidation,
} from "./http-validate.js";
import type { JobAck, JobHandle } from "./types.js";

function jobId(c: Context): string {
  const id: unknown = c.req.param("id");
  if (!isValidId(id)) throw new SwitchyardError("job_not_found", "No job has this id");
  return id;
}

/**
 * Adds the job routes for external workers (Python, Rust, any language) to the HTTP API.
 * The API key and the body limit of the app apply. A worker creates a job (or is handed the
 * id of one), reports progress / chunks / validation, then completes, fails or confirms a
 * cancel; every report answers `{id, status, cancelRequested, percent}`, so the worker learns
 * of a cancel request with its next report.
 */
export function mountJobRoutes(app: Hono, hub: Hub): void {
  const report = <T>(
    path: string,
    parse: (text: string) => T,
    act: (job: JobHandle, input: T) => Promise<JobAck>,
  ): void => {
    app.post(`/api/jobs/:id/${path}`, async (c) => {
      const id = jobId(c);
      const input = parse(await c.req.text());
      const job = await hub.jobs.attach(id);
      return c.json(await act(job, input));
    });
  };

  app.post("/api/jobs", async (c) => {
    const options = parseCreateJob(await c.req.text());
    const job = await hub.jobs.create(options);
    return c.json(job.info());
  });

  app.get("/api/jobs", async (c) => {
    const query = parseListQuery({
      userId: c.req.query("userId"),
      sessionId: c.req.query("sessionId"),
    });
    return c.json({ jobs: await hub.jobs.list(query) });
  });

  app.get("/api/jobs/:id", async (c) => c.json(await hub.jobs.get(jobId(c))));

  report(
    "start",
    (text) => jobBody(text, []),
    (job) => job.start(),
  );
  report("progress", parseProgress, (job, { percent, ...options }) =>
    job.progress(percent, options),
  );
  report("chunk", parseChunk, (job, { data, ...options }) => job.chunk(data, options));
  report("validation", parseValidation, (job, request) => job.requireValidation(request));
  report("complete", parseComplete, (job, { result }) => job.complete(result));
  report("fail", parseFail, (job, { message, ...options }) => job.fail(message, options));
  report("cancelled", parseReason, (job, { reason }) => job.confirmCancel(reason));

  app.post("/api/jobs/:id/cancel", async (c) => {
    const id = jobId(c);
    const { reason } = parseReason(await c.req.text());
    return c.json(await hub.jobs.cancel(id, reason === undefined ? {} : { reason }));
  });
}
