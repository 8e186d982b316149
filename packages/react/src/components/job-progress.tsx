import type { JobState, JobStatus, JobValidation } from "@switchyard/client";
import { useState } from "react";
import { useJob } from "../use-job.js";
import {
  DEFAULT_DURATION_UNITS,
  type DurationUnits,
  formatDuration,
  roundPercent,
  secondsUntil,
} from "./format.js";
import { useNow } from "./use-now.js";

/** A person's answer to a job's validation request. */
export type ValidationDecision = "accept" | "reject";

/** The texts of a {@link JobProgress}; replace any of them to translate. */
export interface JobProgressLabels {
  /**
   * The status line, per status; `loading` before the hub's snapshot arrived, `unavailable`
   * when the hub refused to show the job.
   * @default { loading: "Loading…", unavailable: "Unavailable", queued: "Queued", running: "Running",
   * cancelling: "Cancelling…", completed: "Completed", failed: "Failed", cancelled: "Cancelled" }
   */
  readonly status: Readonly<Record<JobProgressStatus, string>>;
  /** The progress bar's accessible name. @default "Progress" */
  readonly progress: string;
  /** The percentage next to the bar. @default (percent) => `${percent} %` */
  readonly percent: (percent: number) => string;
  /** The time left, given the formatted duration. @default (duration) => `${duration} left` */
  readonly eta: (duration: string) => string;
  /** The partial results so far. @default (count, total) => total === null ? `${count} chunks` : `${count} of ${total} chunks` */
  readonly chunks: (count: number, total: number | null) => string;
  /** @default "Cancel" */
  readonly cancel: string;
  /** The validation request's title. @default "Review requested" */
  readonly validation: string;
  /** The producer's confidence, 0–100. @default (percent) => `Confidence ${percent} %` */
  readonly confidence: (percent: number) => string;
  /** @default "Accept" */
  readonly accept: string;
  /** @default "Reject" */
  readonly reject: string;
  /** Shown once the person answered. @default { accept: "Accepted", reject: "Rejected" } */
  readonly decided: Readonly<Record<ValidationDecision, string>>;
  /** Shown when the hub refused to show the job (`job_not_found`, `forbidden` …). @default (error) => error.message */
  readonly unavailable: (error: Error) => string;
}

/** The English texts of a {@link JobProgress}. */
export const DEFAULT_JOB_PROGRESS_LABELS: JobProgressLabels = {
  status: {
    loading: "Loading…",
    unavailable: "Unavailable",
    queued: "Queued",
    running: "Running",
    cancelling: "Cancelling…",
    completed: "Completed",
    failed: "Failed",
    cancelled: "Cancelled",
  },
  progress: "Progress",
  percent: (percent) => `${percent} %`,
  eta: (duration) => `${duration} left`,
  chunks: (count, total) => (total === null ? `${count} chunks` : `${count} of ${total} chunks`),
  cancel: "Cancel",
  validation: "Review requested",
  confidence: (percent) => `Confidence ${percent} %`,
  accept: "Accept",
  reject: "Reject",
  decided: { accept: "Accepted", reject: "Rejected" },
  unavailable: (error) => error.message,
};

/** Props of {@link JobProgress}. */
export interface JobProgressProps {
  /** The job to show (what `hub.jobs.run` or `create` returned as `id`). */
  readonly jobId: string;
  /**
   * What the job is, for people ("Segmentation of stack-7.tif"): the card's and the progress
   * bar's accessible name, so several jobs on a page are told apart.
   * @default none (the bar is named by the `progress` label)
   */
  readonly name?: string;
  /** Classes added after `sy-job sy-job--<status>`. @default none */
  readonly className?: string;
  /** Texts to replace (the others stay English). @default {@link DEFAULT_JOB_PROGRESS_LABELS} */
  readonly labels?: Partial<JobProgressLabels>;
  /** Units of the time left. @default {@link DEFAULT_DURATION_UNITS} */
  readonly units?: DurationUnits;
  /**
   * Shows the cancel button while the job runs (the hub refuses anyone but the job's owner
   * with `forbidden`: hide it for others).
   * @default true
   */
  readonly cancellable?: boolean;
  /** The reason sent with a cancel (`cancel_requested`'s `reason`). @default none */
  readonly cancelReason?: string;
  /** Called when the cancel request failed (`job_finished`, `forbidden` …). @default none */
  readonly onCancelError?: (error: Error) => void;
  /**
   * Answers the job's validation request: the app records the decision (its own RPC …).
   * Without it the request is shown without buttons. The buttons are disabled while a promise
   * it returns is pending, and replaced by the decision once it resolved; when it rejects (or
   * throws), the error's message shows and the buttons are enabled again.
   * @default none
   */
  readonly onValidation?: (decision: ValidationDecision, job: JobState) => unknown;
}

/** What a {@link JobProgress} shows as its status (and its `sy-job--<status>` class). */
export type JobProgressStatus = JobStatus | "loading" | "unavailable";

/** The status a job shows: `loading` until the hub's snapshot arrived. */
function shownStatus(state: JobState): JobProgressStatus {
  if (state.subscription === "failed") return "unavailable";
  return state.status ?? "loading";
}

function isActive(status: JobProgressStatus): boolean {
  return status === "queued" || status === "running";
}

/**
 * A job's progress: status, step, a progress bar, the time left, the chunk count, a cancel
 * button, and the producer's validation request with accept and reject buttons. Follows the
 * job live (`useJob`): every tab watching it shows the same bar, and a cancel in one shows
 * "Cancelled" in all.
 *
 * Accessible: the bar is a `progressbar` with `aria-valuenow` (0–100), the status line is
 * announced politely, the validation request is a labelled group, every button has a name.
 * Class hooks: `sy-job`, `sy-job--<status>`, `sy-job__status`, `__step`, `__bar`, `__fill`,
 * `__details`, `__percent`, `__eta`, `__chunks`, `__error`, `__validation`, `__button`
 * (`--cancel`, `--accept`, `--reject`). Inside a `SwitchyardProvider`.
 *
 * @example
 * import { useRpc } from "@switchyard/react";
 * import { JobProgress } from "@switchyard/react/components";
 * import "@switchyard/react/styles.css";
 *
 * function Analysis({ jobId }: { jobId: string }) {
 *   const review = useRpc("analysis.review");
 *   return (
 *     <JobProgress
 *       jobId={jobId}
 *       cancelReason="Stopped by the user"
 *       onValidation={(decision) => review.call({ jobId, decision })}
 *     />
 *   );
 * }
 */
export function JobProgress(props: JobProgressProps) {
  const state = useJob(props.jobId);
  const labels = { ...DEFAULT_JOB_PROGRESS_LABELS, ...props.labels };
  const units = props.units ?? DEFAULT_DURATION_UNITS;
  const status = shownStatus(state);
  const active = isActive(status);
  const [cancelling, setCancelling] = useState(false);
  const now = useNow(active && state.etaAt !== null);
  const percent = roundPercent(state.percent);
  const left = state.etaAt === null ? null : secondsUntil(state.etaAt, now);
  const className = ["sy-job", `sy-job--${status}`, props.className].filter(Boolean).join(" ");

  const onCancel = () => {
    setCancelling(true);
    state.cancel(props.cancelReason).then(
      () => setCancelling(false),
      (error: unknown) => {
        setCancelling(false);
        props.onCancelError?.(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };

  return (
    <section className={className} aria-label={props.name} aria-busy={active}>
      <div className="sy-job__header">
        <span className="sy-job__status" role="status" aria-live="polite">
          {labels.status[status]}
        </span>
        {state.step !== null && active ? <span className="sy-job__step">{state.step}</span> : null}
      </div>
      {status === "unavailable" ? null : (
        <>
          <div
            className="sy-job__bar"
            role="progressbar"
            aria-label={props.name ?? labels.progress}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={labels.percent(percent)}
          >
            <div className="sy-job__fill" style={{ width: `${percent}%` }} />
          </div>
          <div className="sy-job__details">
            <span className="sy-job__percent">{labels.percent(percent)}</span>
            {active && left !== null && left > 0 ? (
              <span className="sy-job__eta">{labels.eta(formatDuration(left, units))}</span>
            ) : null}
            {state.chunkCount > 0 || state.chunkTotal !== null ? (
              <span className="sy-job__chunks">
                {labels.chunks(state.chunkCount, state.chunkTotal)}
              </span>
            ) : null}
          </div>
        </>
      )}
      {state.subscribeError !== null ? (
        <p className="sy-job__error" role="alert">
          {labels.unavailable(state.subscribeError)}
        </p>
      ) : null}
      {status === "failed" && state.error !== null ? (
        <p className="sy-job__error" role="alert">
          {state.error.message}
        </p>
      ) : null}
      {state.validation !== null && status !== "failed" && status !== "cancelled" ? (
        <ValidationRequest
          // A new request (another job, another reason) asks for a new answer.
          key={`${state.id}\u0000${state.validation.reason}`}
          validation={state.validation}
          labels={labels}
          onDecide={
            props.onValidation ? (decision) => props.onValidation?.(decision, state) : undefined
          }
        />
      ) : null}
      {active && props.cancellable !== false && !state.cancelRequested ? (
        <div className="sy-job__cancel-row">
          <button
            type="button"
            className="sy-job__button sy-job__button--cancel"
            disabled={cancelling}
            onClick={onCancel}
          >
            {labels.cancel}
          </button>
        </div>
      ) : null}
    </section>
  );
}

interface ValidationRequestProps {
  readonly validation: JobValidation;
  readonly labels: JobProgressLabels;
  readonly onDecide: ((decision: ValidationDecision) => unknown) | undefined;
}

/** The producer's request for review, with the person's answer once given. */
function ValidationRequest({ validation, labels, onDecide }: ValidationRequestProps) {
  const [decided, setDecided] = useState<ValidationDecision | null>(null);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const decide = (decision: ValidationDecision) => {
    if (!onDecide) return;
    setPending(true);
    setFailure(null);
    // A handler that throws at once is a failed answer too, not an error of the click.
    new Promise((resolve) => resolve(onDecide(decision))).then(
      () => setDecided(decision),
      (error: unknown) => {
        setPending(false);
        setFailure(error instanceof Error ? error.message : String(error));
      },
    );
  };
  return (
    <fieldset className="sy-job__validation">
      <legend className="sy-job__validation-title">{labels.validation}</legend>
      <p className="sy-job__validation-reason">{validation.reason}</p>
      {validation.confidence !== null ? (
        <span className="sy-job__confidence">
          {labels.confidence(roundPercent(validation.confidence * 100))}
        </span>
      ) : null}
      {validation.suggestedActions.length > 0 ? (
        <ul className="sy-job__validation-actions">
          {validation.suggestedActions.map((action) => (
            <li key={action}>{action}</li>
          ))}
        </ul>
      ) : null}
      {failure !== null ? (
        <p className="sy-job__error" role="alert">
          {failure}
        </p>
      ) : null}
      {decided !== null ? (
        <span className="sy-job__decision" role="status">
          {labels.decided[decided]}
        </span>
      ) : onDecide ? (
        <div className="sy-job__actions">
          <button
            type="button"
            className="sy-job__button sy-job__button--accept"
            disabled={pending}
            onClick={() => decide("accept")}
          >
            {labels.accept}
          </button>
          <button
            type="button"
            className="sy-job__button sy-job__button--reject"
            disabled={pending}
            onClick={() => decide("reject")}
          >
            {labels.reject}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
