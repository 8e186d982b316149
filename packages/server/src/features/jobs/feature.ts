import type { Feature } from "../../core/hub-api.js";
import { jobRoutes } from "./http.js";
import { HubJobs, type Jobs } from "./jobs.js";
import { jobNamespace } from "./namespace.js";
import { jobOpenApi } from "./openapi.js";
import type { JobsOptions } from "./options.js";
import { registerJobRpcs } from "./rpc.js";
import type { JobEnded } from "./types.js";

/**
 * Jobs as a feature of the hub (docs/jobs.md): the `job` namespace (owner-only watching,
 * history, conflated progress, a snapshot in every subscribe reply), the `job.get`,
 * `job.list` and `job.cancel` RPCs, the `/api/jobs` routes of the HTTP API for workers in
 * any language, and `hub.jobs`. Announces how each job ended (`hub.on("feature", …)`, feature
 * `jobs`, name `completed`, `failed` or `cancelled`, payload {@link JobEnded}) on the node that
 * ended it. `createHub` installs it; a hub made otherwise installs it
 * with `hub.use(jobsFeature())`.
 *
 * @example
 * const jobs = hub.use(jobsFeature({ retention: 60_000 }));
 * const job = await jobs.create({ owner: client });
 */
export function jobsFeature(options?: JobsOptions): Feature<Jobs> {
  return {
    name: "jobs",
    install(host) {
      const { hub, logger } = host;
      host.namespace("job", jobNamespace(hub.broker));
      const jobs = new HubJobs(hub, options, logger, (ended) => host.emit(ended.job.status, ended));
      registerJobRpcs(hub, jobs);
      host.routes(jobRoutes(jobs), jobOpenApi);
      host.stats(() => ({ producing: jobs.producing }));
      host.onClose(() => jobs.close());
      return jobs;
    },
  };
}
