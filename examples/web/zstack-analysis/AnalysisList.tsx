/**
 * The analyses of this browser session, newest first, each live (`useJob`): the progress bar,
 * step, a countdown to the ETA and Cancel (`JobProgress`), then what to do next — view the
 * results, review a doubtful result, retry after a retryable failure. Each card also raises
 * the toasts of its job's end, in every tab that shows it.
 */
import type { JobState, JobStatus } from "@switchyard/client";
import { useJob, useSwitchyard } from "@switchyard/react";
import { JobProgress } from "@switchyard/react/components";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import {
  type AnalysisResult,
  type AnalysisStartReply,
  algorithmName,
  awaitsReview,
  messageOf,
  metaOf,
  stackName,
} from "./model.js";

/** How many analyses the list shows (the newest). */
const SHOWN = 6;

interface Actions {
  onSelect: (jobId: string) => void;
  /** An analysis this tab watched completed. */
  onCompleted: (jobId: string) => void;
  onReview: (jobId: string) => void;
  onStarted: (jobId: string) => void;
}

export function AnalysisList({
  jobs,
  selected,
  ...actions
}: { jobs: readonly Pick<JobState, "id">[]; selected: string | null } & Actions) {
  return (
    <section className="card zs-analyses" aria-label="Analyses">
      <h2>
        Analyses <span className="muted zs-count">this browser session, every tab</span>
      </h2>
      {jobs.length === 0 ? (
        <p className="muted">No analysis yet.</p>
      ) : (
        <ul className="zs-job-list">
          {jobs.slice(0, SHOWN).map((job) => (
            <AnalysisCard key={job.id} jobId={job.id} selected={job.id === selected} {...actions} />
          ))}
        </ul>
      )}
      {jobs.length > SHOWN ? (
        <p className="muted zs-more">and {jobs.length - SHOWN} earlier ones</p>
      ) : null}
    </section>
  );
}

/** Retries a failed analysis; resolves with the new job's id. */
function useRetry(onStarted: (jobId: string) => void) {
  const client = useSwitchyard();
  return (jobId: string) => {
    if (!client) return;
    client.rpc("analysis.retry", { jobId }).then(
      (reply) => onStarted((reply as AnalysisStartReply).jobId),
      (error: unknown) => toast.error("Retry refused", { description: messageOf(error) }),
    );
  };
}

/** Toasts for what happens to the job while this tab watches it. */
function useJobToasts(job: JobState, actions: Actions, retry: (jobId: string) => void) {
  const seen = useRef<{ status: JobStatus; validation: boolean; reviewing: boolean } | null>(null);
  const latest = useRef({ job, actions, retry });
  latest.current = { job, actions, retry };
  const { status } = job;
  const validation = job.validation !== null;
  const reviewing = awaitsReview(job);

  useEffect(() => {
    if (status === null) return;
    const { job, actions } = latest.current;
    const before = seen.current;
    seen.current = { status, validation, reviewing };
    if (before === null) {
      // First sight (a reload, another tab): no toast for the past, but a pending review asks.
      if (reviewing) actions.onReview(job.id);
      return;
    }
    if (!before.validation && validation && job.validation) {
      toast.warning("Review needed", {
        id: `review-${job.id}`,
        description: job.validation.reason,
        action: { label: "Review", onClick: () => latest.current.actions.onReview(job.id) },
      });
    }
    if (!before.reviewing && reviewing) actions.onReview(job.id);
    if (before.status === status) return;
    if (status === "completed") {
      actions.onCompleted(job.id);
      const result = job.result as AnalysisResult;
      toast.success("Analysis complete", {
        id: `done-${job.id}`,
        description: `${result.objects.length} objects, confidence ${result.confidence.toFixed(2)}`,
        action: { label: "View results", onClick: () => latest.current.actions.onSelect(job.id) },
      });
    } else if (status === "failed" && job.error) {
      const { error } = job;
      toast.error("Analysis failed", {
        id: `failed-${job.id}`,
        description: error.message,
        duration: Number.POSITIVE_INFINITY,
        action: error.retryable
          ? { label: "Retry", onClick: () => latest.current.retry(job.id) }
          : undefined,
      });
    }
  }, [status, validation, reviewing]);
}

function AnalysisCard({
  jobId,
  selected,
  ...actions
}: { jobId: string; selected: boolean } & Actions) {
  const job = useJob(jobId);
  const retry = useRetry(actions.onStarted);
  const [retrying, setRetrying] = useState(false);
  useJobToasts(job, actions, retry);
  const meta = metaOf(job);
  const name = meta ? stackName(meta.parameters) : "Analysis";
  const started = job.createdAt !== null ? new Date(job.createdAt) : null;

  return (
    <li className={`zs-job${selected ? " zs-job--selected" : ""}`} data-job={jobId}>
      <div className="zs-job__head">
        <strong>{name}</strong>
        <span className="muted">
          {meta ? algorithmName(meta.algorithm) : null}
          {started ? ` · ${started.toLocaleTimeString("en-GB")}` : null}
          {meta?.retryOf ? " · retry" : null}
        </span>
      </div>
      <JobProgress
        jobId={jobId}
        name={`Analysis of ${name}`}
        cancelReason="Cancelled by the user"
      />
      <div className="zs-job__actions">
        {job.status === "completed" ? (
          <button
            type="button"
            onClick={() => actions.onSelect(jobId)}
            aria-pressed={selected}
            className={selected ? "primary" : undefined}
          >
            {selected ? "Showing results" : "View results"}
          </button>
        ) : null}
        {awaitsReview(job) ? (
          <button type="button" className="primary" onClick={() => actions.onReview(jobId)}>
            Review…
          </button>
        ) : null}
        {job.status === "failed" && job.error?.retryable ? (
          <button
            type="button"
            disabled={retrying}
            onClick={() => {
              setRetrying(true);
              retry(jobId);
            }}
          >
            Retry
          </button>
        ) : null}
      </div>
    </li>
  );
}
