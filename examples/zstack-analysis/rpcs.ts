/**
 * The analyser's RPCs on a hub:
 *
 * | RPC               | data                                       | reply                               |
 * | ----------------- | ------------------------------------------ | ----------------------------------- |
 * | `analysis.start`  | `{width?, height?, algorithm?, …}`         | `{jobId, parameters}`               |
 * | `analysis.retry`  | `{jobId}` of a failed, retryable analysis  | `{jobId, parameters}` (a new job)   |
 * | `analysis.review` | `{jobId, decision: "accept" \| "reject"}`  | `{jobId, review}`                   |
 * | `analysis.slice`  | `{jobId, z?}`                              | a {@link SliceImage} (binary)       |
 *
 * Every analysis is a job owned by its caller (its user, or its browser session for an
 * anonymous one), at most `slots.size` at once; `analysis_started` tells the owner's other
 * tabs. Only the owner may retry, review, or look at the slices of an analysis; anyone else
 * gets `forbidden`.
 */
import { type ClientInfo, type Hub, SwitchyardError } from "@switchyard/server";
import { type AnalysisParameters, analyse } from "./analysis.js";
import type { PendingReviews } from "./reviews.js";
import {
  analysisRetryInput,
  analysisReviewInput,
  analysisSliceInput,
  analysisStartInput,
} from "./schemas.js";
import { owns, type SliceImage, type SliceStore } from "./slices.js";
import type { WorkerSlots } from "./worker-slots.js";

/** The reply of `analysis.start` and `analysis.retry`. */
export interface AnalysisStartReply {
  /** The job to follow: `job:<jobId>`. */
  jobId: string;
  /** The parameters it runs with, defaults applied. */
  parameters: AnalysisParameters;
}

/** The reply of `analysis.review`. */
export interface AnalysisReviewReply {
  jobId: string;
  review: "accepted" | "rejected";
}

/** What a job of the analyser carries as `meta`. */
export interface AnalysisMeta {
  algorithm: AnalysisParameters["algorithm"];
  parameters: AnalysisParameters;
  /** The failed analysis this one retries, if any. */
  retryOf: string | null;
}

/**
 * Sent to the owner's session (and user) when an analysis starts, so every tab lists it
 * without asking: the personal event's name.
 */
export const ANALYSIS_STARTED = "analysis_started";

/** The data of {@link ANALYSIS_STARTED}. */
export interface AnalysisStartedNotice {
  jobId: string;
}

/** The step shown while an analysis waits for a worker slot. */
export const WAITING_STEP = "Waiting for a free worker";

/** What the RPCs share. */
export interface AnalysisServices {
  slots: WorkerSlots;
  slices: SliceStore;
  reviews: PendingReviews;
}

/** Registers the analyser's RPCs on `hub`. */
export function registerAnalysisRpcs(hub: Hub, { slots, slices, reviews }: AnalysisServices) {
  async function start(
    parameters: AnalysisParameters,
    client: ClientInfo,
    retryOf: string | null,
  ): Promise<AnalysisStartReply> {
    const owner = { userId: client.userId, sessionId: client.sessionId };
    const job = await hub.jobs.run(
      async (job) => {
        const release = await slots.acquire(job.signal, () => {
          void job.progress(0, { step: WAITING_STEP });
        });
        try {
          return await analyse(job, parameters, {
            segmented: (segmentation) => slices.keep(job.id, owner, segmentation),
            review: (signal) => reviews.wait(job.id, signal),
          });
        } finally {
          release();
        }
      },
      {
        owner: client,
        meta: { algorithm: parameters.algorithm, parameters, retryOf } satisfies AnalysisMeta,
      },
    );
    // The owner's other tabs (and, for a signed-in user, other browsers) list it at once.
    const notice = { jobId: job.id } satisfies AnalysisStartedNotice;
    await hub.sendToSession(client.sessionId, ANALYSIS_STARTED, notice);
    if (client.userId !== null) await hub.sendToUser(client.userId, ANALYSIS_STARTED, notice);
    return { jobId: job.id, parameters };
  }

  /** The job `jobId` if `client` owns it; `job_not_found` or `forbidden` otherwise. */
  async function owned(jobId: string, client: ClientInfo) {
    const job = await hub.jobs.get(jobId);
    if (!owns(job.owner, client)) {
      throw new SwitchyardError("forbidden", `Analysis '${jobId}' is not yours`, { jobId });
    }
    return job;
  }

  hub.rpc("analysis.start", analysisStartInput, (parameters, { client }) =>
    start(parameters, client, null),
  );

  hub.rpc("analysis.retry", analysisRetryInput, async ({ jobId }, { client }) => {
    const job = await owned(jobId, client);
    if (job.status !== "failed" || job.error?.retryable !== true) {
      throw new SwitchyardError("invalid_data", `Analysis '${jobId}' did not fail retryably`, {
        field: "jobId",
        jobId,
        status: job.status,
      });
    }
    const meta = job.meta as AnalysisMeta;
    // The simulated loss of a worker is transient: the retry runs without it.
    return start({ ...meta.parameters, failAt: null }, client, jobId);
  });

  hub.rpc("analysis.review", analysisReviewInput, async ({ jobId, decision }, { client }) => {
    await owned(jobId, client);
    const review = decision === "accept" ? "accepted" : "rejected";
    reviews.decide(jobId, review);
    return { jobId, review } satisfies AnalysisReviewReply;
  });

  hub.rpc("analysis.slice", analysisSliceInput, async ({ jobId, z }, { client }) => {
    await owned(jobId, client);
    const slice = slices.slice(jobId, client, z);
    if (!slice) {
      throw new SwitchyardError("job_not_found", `No segmentation of '${jobId}' is kept`, {
        jobId,
      });
    }
    return slice satisfies SliceImage;
  });
}
