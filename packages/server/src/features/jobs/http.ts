import { isValidId, SwitchyardError } from "@switchyard/protocol";
import type { FeatureRequest, FeatureRoute } from "../../core/hub-api.js";
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
import type { Jobs } from "./jobs.js";
import type { JobAck, JobHandle } from "./types.js";

function jobId(request: FeatureRequest): string {
  const id: unknown = request.params.id;
  if (!isValidId(id)) throw new SwitchyardError("job_not_found", "No job has this id");
  return id;
}

/**
 * The job routes of the HTTP API, for external workers (Python, Rust, any language). The API
 * key and the body limit of the HTTP API apply. A worker creates a job (or is handed the id of
 * one), reports progress / chunks / validation, then completes, fails or confirms a cancel;
 * every report answers `{id, status, cancelRequested, percent}`, so the worker learns of a
 * cancel request with its next report.
 */
export function jobRoutes(jobs: Jobs): FeatureRoute[] {
  const report = <T>(
    path: string,
    parse: (text: string) => T,
    act: (job: JobHandle, input: T) => Promise<JobAck>,
  ): FeatureRoute => ({
    method: "POST",
    path: `/api/jobs/:id/${path}`,
    handle: async (request) => {
      const id = jobId(request);
      const input = parse(await request.text());
      const job = await jobs.attach(id);
      return act(job, input);
    },
  });

  return [
    {
      method: "POST",
      path: "/api/jobs",
      handle: async (request) => {
        const options = parseCreateJob(await request.text());
        const job = await jobs.create(options);
        return job.info();
      },
    },
    {
      method: "GET",
      path: "/api/jobs",
      handle: async (request) => {
        const query = parseListQuery({
          userId: request.query("userId"),
          sessionId: request.query("sessionId"),
        });
        return { jobs: await jobs.list(query) };
      },
    },
    { method: "GET", path: "/api/jobs/:id", handle: (request) => jobs.get(jobId(request)) },
    report(
      "start",
      (text) => jobBody(text, []),
      (job) => job.start(),
    ),
    report("progress", parseProgress, (job, { percent, ...options }) =>
      job.progress(percent, options),
    ),
    report("chunk", parseChunk, (job, { data, ...options }) => job.chunk(data, options)),
    report("validation", parseValidation, (job, request) => job.requireValidation(request)),
    report("complete", parseComplete, (job, { result }) => job.complete(result)),
    report("fail", parseFail, (job, { message, ...options }) => job.fail(message, options)),
    report("cancelled", parseReason, (job, { reason }) => job.confirmCancel(reason)),
    {
      method: "POST",
      path: "/api/jobs/:id/cancel",
      handle: async (request) => {
        const id = jobId(request);
        const { reason } = parseReason(await request.text());
        return jobs.cancel(id, reason === undefined ? {} : { reason });
      },
    },
  ];
}
