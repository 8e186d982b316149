import { isValidId, SwitchyardError } from "@switchyard/protocol";
import { channelsClaimAllows } from "../../core/auth/channels-claim.js";
import type { JobRecord } from "./store.js";
import { type JobOwner, jobChannel } from "./types.js";

/** Who asks something of a job: a client (`ClientInfo` and `AccessContext` fit). */
export interface JobRequester {
  userId: string | null;
  sessionId: string;
  claims?: Readonly<Record<string, unknown>>;
}

/** What callers may give as a job's owner (a `ClientInfo` fits). */
export interface JobOwnerInput {
  userId?: string | null;
  sessionId?: string | null;
}

/** Checks and normalises an owner; throws `invalid_data` for a malformed id. */
export function toOwner(input: JobOwnerInput | undefined): JobOwner {
  const userId = input?.userId ?? null;
  const sessionId = input?.sessionId ?? null;
  for (const [field, id] of [
    ["owner.userId", userId],
    ["owner.sessionId", sessionId],
  ] as const) {
    if (id !== null && !isValidId(id)) {
      throw new SwitchyardError(
        "invalid_data",
        `'${field}' must be 1-128 characters of A-Z a-z 0-9 _ . @ | : -`,
        { field },
      );
    }
  }
  return { userId, sessionId };
}

/** True when `who` owns the job: its user, or (any tab of) its session. */
export function isOwner(owner: JobOwner, who: JobRequester): boolean {
  return (
    (owner.userId !== null && who.userId === owner.userId) ||
    (owner.sessionId !== null && who.sessionId === owner.sessionId)
  );
}

/**
 * True when `who` may watch the job (subscribe to `job:<id>`, `job.get`): its owner, anyone
 * its visibility lets in, or a client whose token `channels` claim names the channel.
 */
export function canWatch(
  record: Pick<JobRecord, "id" | "owner" | "visibility">,
  who: JobRequester,
): boolean {
  if (isOwner(record.owner, who)) return true;
  if (record.visibility === "anyone") return true;
  if (record.visibility === "authenticated" && who.userId !== null) return true;
  return channelsClaimAllows(who.claims ?? {}, jobChannel(record.id));
}

/** Throws `job_not_found` unless the job was found. */
export function found<T>(record: T | undefined, id: string): T {
  if (record === undefined) {
    throw new SwitchyardError("job_not_found", `No job '${id.slice(0, 128)}' is kept`, { id });
  }
  return record;
}
