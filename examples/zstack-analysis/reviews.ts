/**
 * Decisions on results that asked for review. A job started with `awaitReview` waits, after
 * its `validation_required`, for its owner's `analysis.review`: the decision goes back into
 * the running job, which completes with it. A cancel stops the wait.
 */
import { SwitchyardError } from "@switchyard/server";
import type { ReviewDecision } from "./analysis.js";

/** Jobs waiting for a decision, by job id. */
export class PendingReviews {
  readonly #waiting = new Map<string, (decision: ReviewDecision) => void>();

  /** Jobs waiting now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Resolves with the decision on job `jobId`; rejects with the reason when `signal` aborts. */
  wait(jobId: string, signal: AbortSignal): Promise<ReviewDecision> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(jobId);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.set(jobId, (decision) => {
        signal.removeEventListener("abort", onAbort);
        this.#waiting.delete(jobId);
        resolve(decision);
      });
    });
  }

  /** Hands `decision` to job `jobId`; `invalid_data` when it waits for none. */
  decide(jobId: string, decision: ReviewDecision): void {
    const answer = this.#waiting.get(jobId);
    if (!answer) {
      throw new SwitchyardError("invalid_data", `Analysis '${jobId}' is not waiting for a review`, {
        field: "jobId",
        jobId,
      });
    }
    answer(decision);
  }
}
