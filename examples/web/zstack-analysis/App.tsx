/**
 * The page: a form to start an analysis and the system status on the left; the analyses of
 * this browser session (every tab shows the same, live) and the results of the one selected
 * on the right; a dialog when an analysis asks for review; toasts when one ends.
 */
import { useConnection, useJobs, useSwitchyard } from "@switchyard/react";
import { ConnectionBadge } from "@switchyard/react/components";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Toaster } from "sonner";
import { AnalysisForm } from "./AnalysisForm.js";
import { AnalysisList } from "./AnalysisList.js";
import { ANALYSIS_STARTED, metaOf } from "./model.js";
import { ResultsView } from "./ResultsView.js";
import { ReviewDialog } from "./ReviewDialog.js";
import { SystemPanel } from "./SystemPanel.js";

export function App() {
  const client = useSwitchyard();
  const { jobs, refresh } = useJobs();
  const [selected, setSelected] = useState<string | null>(null);
  // Analyses asking for review, oldest request first; the dialog shows the first.
  const [reviews, setReviews] = useState<string[]>([]);

  // Another tab of this session started an analysis: list it now.
  useEffect(() => {
    if (!client) return;
    return client.personal.on("event", ({ event }) => {
      if (event === ANALYSIS_STARTED) void refresh();
    });
  }, [client, refresh]);

  const analyses = useMemo(() => jobs.filter((job) => metaOf(job) !== null), [jobs]);
  // Results of the selected analysis, else of the newest one that completed.
  const shown =
    (selected !== null && analyses.some((job) => job.id === selected) ? selected : null) ??
    analyses.find((job) => job.status === "completed")?.id ??
    null;

  const started = useCallback(
    (jobId: string) => {
      void refresh();
      setSelected(null);
      return jobId;
    },
    [refresh],
  );
  const askReview = useCallback(
    (jobId: string) => setReviews((queue) => (queue.includes(jobId) ? queue : [...queue, jobId])),
    [],
  );
  const closeReview = useCallback(
    (jobId: string) => setReviews((queue) => queue.filter((id) => id !== jobId)),
    [],
  );

  return (
    <div className="page zs-page">
      <header className="app-header">
        <div className="zs-title">
          <h1>Z-stack analyser</h1>
          <p className="muted">3D segmentation of synthetic microscopy stacks, live</p>
        </div>
        <ConnectionBadge />
      </header>
      <main className="zs-layout">
        <div className="zs-side">
          <AnalysisForm onStarted={started} />
          <SessionNote />
        </div>
        <div className="zs-main">
          <SystemPanel />
          <AnalysisList
            jobs={analyses}
            selected={shown}
            onSelect={setSelected}
            onCompleted={setSelected}
            onReview={askReview}
            onStarted={started}
          />
          {shown !== null ? <ResultsView key={shown} jobId={shown} /> : <EmptyResults />}
        </div>
      </main>
      {reviews[0] !== undefined ? (
        <ReviewDialog
          key={reviews[0]}
          jobId={reviews[0]}
          onClose={closeReview}
          onDecided={setSelected}
        />
      ) : null}
      <Toaster position="bottom-right" richColors closeButton />
    </div>
  );
}

/** Who sees what: the demo's users are browsers (see the README's "Web app"). */
function SessionNote() {
  const userId = useConnection().info?.userId ?? null;
  return (
    <section className="card zs-note" aria-label="Your session">
      <h2>Your session</h2>
      <p>
        {userId === null ? "Your analyses belong to this browser" : `Signed in as ${userId}`}: every
        tab of it shows them live, closing a tab stops nothing, and another browser sees none of
        them. Only you can cancel, review or retry them.
      </p>
    </section>
  );
}

function EmptyResults() {
  return (
    <section className="card zs-results zs-results--empty" aria-label="Results">
      <h2>Results</h2>
      <p className="muted">
        Start an analysis: its objects, metrics and a slice with the segmentation show here once it
        completes.
      </p>
    </section>
  );
}
