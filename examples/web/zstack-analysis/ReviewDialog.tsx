/**
 * The review of a doubtful result (the job's `validation_required`, confidence below 0.7): the
 * reason, the confidence, the suggested actions and a slice of the segmentation, with Accept
 * and Reject. The decision goes back to the job (`analysis.review`), which completes with it.
 * The dialog closes by itself when the job stops waiting (decided in another tab, cancelled).
 */
import { useJob, useRpc } from "@switchyard/react";
import { useEffect, useId, useRef } from "react";
import { toast } from "sonner";
import { type AnalysisReviewReply, awaitsReview, messageOf, metaOf, stackName } from "./model.js";
import { SliceView } from "./SliceView.js";

export function ReviewDialog({
  jobId,
  onClose,
  onDecided,
}: {
  jobId: string;
  onClose: (jobId: string) => void;
  onDecided: (jobId: string) => void;
}) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const job = useJob(jobId);
  const review = useRpc("analysis.review");
  const waiting = awaitsReview(job);
  const meta = metaOf(job);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  // Decided elsewhere, cancelled, or gone: nothing to review any more.
  useEffect(() => {
    if (job.status !== null && !waiting) onClose(jobId);
  }, [job.status, waiting, jobId, onClose]);

  const decide = (decision: "accept" | "reject") => {
    review.call({ jobId, decision }).then(
      (reply) => {
        const { review: outcome } = reply as AnalysisReviewReply;
        toast.info(outcome === "accepted" ? "Result accepted" : "Result rejected", {
          id: `reviewed-${jobId}`,
        });
        onDecided(jobId);
        onClose(jobId);
      },
      () => {}, // shown from review.error
    );
  };

  const validation = job.validation;
  return (
    <dialog
      ref={dialog}
      className="zs-dialog"
      aria-labelledby={`${id}-title`}
      // Escape: the person puts the review off (the card's "Review…" opens it again).
      onCancel={() => onClose(jobId)}
    >
      <h2 id={`${id}-title`}>Review needed</h2>
      <p className="muted">
        {meta ? stackName(meta.parameters) : "Analysis"} — the job waits for your decision.
      </p>
      {validation ? (
        <div className="zs-dialog__body">
          <SliceView jobId={jobId} />
          <div>
            <p className="zs-dialog__reason">{validation.reason}</p>
            {validation.confidence !== null ? (
              <p>
                Confidence <strong>{validation.confidence.toFixed(2)}</strong>{" "}
                <span className="muted">(threshold 0.70)</span>
              </p>
            ) : null}
            {validation.suggestedActions.length > 0 ? (
              <>
                <h3>Suggested</h3>
                <ul>
                  {validation.suggestedActions.map((action) => (
                    <li key={action}>{action}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        </div>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {review.error ? (
        <p className="zs-error" role="alert">
          {messageOf(review.error)}
        </p>
      ) : null}
      <div className="zs-dialog__actions">
        <button type="button" onClick={() => onClose(jobId)}>
          Later
        </button>
        <button
          type="button"
          className="danger"
          disabled={review.pending}
          onClick={() => decide("reject")}
        >
          Reject result
        </button>
        <button
          type="button"
          className="primary"
          disabled={review.pending}
          onClick={() => decide("accept")}
        >
          Accept result
        </button>
      </div>
    </dialog>
  );
}
