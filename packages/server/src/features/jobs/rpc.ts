import { type JobListResult, type JobSnapshot, SwitchyardError } from "@switchyard/protocol";
import type { CoreHub } from "../../core/hub-api.js";
import { rpcFields } from "../../core/rpc-data.js";
import { canWatch } from "./access.js";
import type { Jobs } from "./jobs.js";
import { toSnapshot } from "./store.js";

function idOf(body: Record<string, unknown>): string {
  const id = body.id;
  if (typeof id !== "string" || id.length === 0) {
    throw new SwitchyardError("invalid_data", "Field 'id' must be a job id", { field: "id" });
  }
  return id;
}

/**
 * Registers the RPCs clients use for jobs:
 * - `job.get {id}` → the job's snapshot with its kept chunks, for whoever may watch it;
 * - `job.list {}` → `{jobs}`: the caller's own jobs (its user's and its session's);
 * - `job.cancel {id, reason?}` → the snapshot after the cancel request; only the owner
 *   (else `forbidden`).
 */
export function registerJobRpcs(hub: CoreHub, jobs: Jobs): void {
  hub.rpc("job.get", async (data, { client }): Promise<JobSnapshot> => {
    const id = idOf(rpcFields(data, ["id"]));
    const info = await jobs.get(id);
    if (!canWatch(info, client)) {
      throw new SwitchyardError("forbidden", `Not allowed to watch job '${id}'`, { id });
    }
    return toSnapshot(info);
  });

  hub.rpc("job.list", async (data, { client }): Promise<JobListResult> => {
    rpcFields(data, []);
    const lists = await Promise.all([
      client.userId === null ? [] : jobs.list({ userId: client.userId }),
      jobs.list({ sessionId: client.sessionId }),
    ]);
    const byId = new Map(lists.flat().map((info) => [info.id, toSnapshot(info)]));
    const list = [...byId.values()].sort((a, b) => b.createdAt - a.createdAt);
    return { jobs: list };
  });

  hub.rpc("job.cancel", async (data, { client }): Promise<JobSnapshot> => {
    const body = rpcFields(data, ["id", "reason"]);
    const id = idOf(body);
    const reason = body.reason;
    if (reason !== undefined && typeof reason !== "string") {
      throw new SwitchyardError("invalid_data", "Field 'reason' must be a string", {
        field: "reason",
      });
    }
    const info = await jobs.cancel(id, { by: client, ...(reason === undefined ? {} : { reason }) });
    return toSnapshot(info);
  });
}
